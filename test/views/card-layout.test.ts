import { describe, expect, it } from 'vitest';
import { renderStatus } from '../../src/bot/features/status.js';
import type { InvoiceRow } from '../../src/db/schema.js';
import { createTranslator } from '../../src/i18n/index.js';
import { renderClosedCard, renderOpenCard } from '../../src/views/messages.js';
import { type PaymentFacts, renderPaymentReply } from '../../src/views/replies.js';
import { invoiceRow } from '../support/invoice-row.js';

// A description is the merchant's (or anyone's, in inline mode) text: on every card it must stay one
// quoted, labelled line after the bot's own lines, whatever characters it holds. Rows stored before
// descriptions were cleaned at parse time still hold line breaks and bidi overrides, so rendering cleans too.

const translator = createTranslator({ localeOf: async () => 'en' });
const en = translator.forLocale('en');
const ru = translator.forLocale('ru');
const NOW = new Date(Date.UTC(2026, 10, 26, 8, 20));
const FAKE_LINE = '✅ Paid · Received: 10 bUSDT';
const HOSTILE = `Coffee\n${FAKE_LINE}\u202e\u2066 <b>x</b>\u2069\u200b\r\n\u2028`;

function invoice(values: Partial<InvoiceRow> = {}): InvoiceRow {
  return invoiceRow(NOW, { description: HOSTILE, ...values });
}

const QUOTED_EN = 'For: <i>“Coffee ✅ Paid · Received: 10 bUSDT &lt;b&gt;x&lt;/b&gt;”</i>';
const QUOTED_RU = 'За: <i>«Coffee ✅ Paid · Received: 10 bUSDT &lt;b&gt;x&lt;/b&gt;»</i>';

describe('cards with a hostile description', () => {
  it('the open card: the bot’s lines first, the description last as one quoted line', () => {
    expect(renderOpenCard(en, invoice(), NOW).text).toBe(
      [
        '🧾 <b>Invoice #12</b>',
        '<b>10 bUSDT</b>',
        'Expires: 26 Nov 2026, 09:20 UTC (in 60 min)',
        QUOTED_EN,
        '',
        'Pay with crypto through SMARTy Pay. This card updates when the payment arrives.',
      ].join('\n'),
    );
    expect(renderOpenCard(ru, invoice(), NOW).text).toBe(
      [
        '🧾 <b>Счёт №12</b>',
        '<b>10 bUSDT</b>',
        'Истекает: 26 нояб. 2026, 09:20 UTC (через 60 мин)',
        QUOTED_RU,
        '',
        'Оплата криптовалютой через SMARTy Pay. Карточка обновится, когда придёт оплата.',
      ].join('\n'),
    );
  });

  it('the paid card: headline, amount, what was received in bold, then the quoted description', () => {
    const paid = invoice({ status: 'Paid', paidAmount: '10', paidToken: 'bUSDT' });
    expect(renderClosedCard(en, paid).text).toBe(
      ['✅ <b>Paid</b> · invoice #12', '<b>10 bUSDT</b>', 'Received: <b>10 bUSDT</b>', QUOTED_EN].join('\n'),
    );
    expect(renderClosedCard(ru, paid).text).toBe(
      ['✅ <b>Оплачен</b> · счёт №12', '<b>10 bUSDT</b>', 'Получено: <b>10 bUSDT</b>', QUOTED_RU].join('\n'),
    );
  });

  it('the cancelled card keeps its note after the description', () => {
    const cancelled = invoice({ status: 'Cancelled', cancelledAt: NOW });
    expect(renderClosedCard(en, cancelled).text).toBe(
      [
        '🚫 <b>Cancelled</b> · invoice #12',
        '<b>10 bUSDT</b>',
        QUOTED_EN,
        '',
        'The merchant cancelled this invoice. Please do not pay it.',
      ].join('\n'),
    );
  });

  it('/status puts the description after every status line', () => {
    const paid = invoice({ status: 'Paid', paidAmount: '10', paidToken: 'bUSDT', paidAt: NOW });
    // Looked at after expiry: the time has passed, so "Expired" (ahead of it, "Expires": see below).
    expect(renderStatus(en, paid, new Date(NOW.getTime() + 2 * 60 * 60_000)).text).toBe(
      [
        '🧾 <b>Invoice #12</b>',
        '<b>10 bUSDT</b>',
        'Status: ✅ Paid',
        'Received: <b>10 bUSDT</b>',
        'Created: 26 Nov 2026, 08:20 UTC',
        'Expired: 26 Nov 2026, 09:20 UTC',
        'Paid: 26 Nov 2026, 08:20 UTC',
        QUOTED_EN,
      ].join('\n'),
    );
    expect(renderStatus(ru, invoice(), NOW).text.split('\n').at(-1)).toBe(QUOTED_RU);
  });

  it('the payment confirmation quotes it inside its one line', () => {
    const facts: PaymentFacts = { status: 'Paid', previousStatus: 'Created', paidAmount: '10', paidToken: 'bUSDT' };
    const text = renderPaymentReply(en, 'paid_reply', invoice({ status: 'Paid' }), facts).text;
    expect(text).toBe(
      '✅ Payment received: <b>10 bUSDT</b> for <i>“Coffee ✅ Paid · Received: 10 bUSDT &lt;b&gt;x&lt;/b&gt;”</i>.',
    );
  });

  it('a description with nothing visible left shows no description line at all', () => {
    const text = renderOpenCard(en, invoice({ description: '\u202e\u200b\n' }), NOW).text;
    expect(text).not.toContain('For:');
  });
});

describe('amounts as each language writes them', () => {
  const half = invoice({ amount: '14.50000000', description: 'Tea' });

  it('the open card and its Pay button: "14.5" in English, "14,5" in Russian', () => {
    const english = renderOpenCard(en, half, NOW);
    expect(english.text.split('\n')[1]).toBe('<b>14.5 bUSDT</b>');
    expect(english.replyMarkup?.inline_keyboard[0]?.[0]?.text).toBe('💳 Pay 14.5 bUSDT');
    const russian = renderOpenCard(ru, half, NOW);
    expect(russian.text.split('\n')[1]).toBe('<b>14,5 bUSDT</b>');
    expect(russian.replyMarkup?.inline_keyboard[0]?.[0]?.text).toBe('💳 Оплатить 14,5 bUSDT');
  });

  it('/status: the amount, what was received, and "Expires" while it is ahead', () => {
    const partly = invoice({
      amount: '14.5',
      status: 'UnderPaid',
      paidAmount: '4.25',
      paidToken: 'bUSDT',
      description: null,
    });
    expect(renderStatus(ru, partly, NOW).text).toBe(
      [
        '🧾 <b>Счёт №12</b>',
        '<b>14,5 bUSDT</b>',
        'Статус: ⚠️ Оплачен частично',
        'Получено: <b>4,25 bUSDT</b>',
        'Создан: 26 нояб. 2026, 08:20 UTC',
        'Истекает: 26 нояб. 2026, 09:20 UTC',
      ].join('\n'),
    );
    expect(renderStatus(en, partly, NOW).text.split('\n').slice(1, 6)).toEqual([
      '<b>14.5 bUSDT</b>',
      'Status: ⚠️ Partly paid',
      'Received: <b>4.25 bUSDT</b>',
      'Created: 26 Nov 2026, 08:20 UTC',
      'Expires: 26 Nov 2026, 09:20 UTC',
    ]);
  });

  it('the overpaid card and its reply use the same Russian word: «с переплатой», «переплата»', () => {
    const over = invoice({
      amount: '10',
      status: 'OverPaid',
      paidAmount: '12.5',
      paidToken: 'bUSDT',
      description: null,
    });
    expect(renderClosedCard(ru, over).text).toBe(
      ['✅ <b>Оплачен с переплатой</b> · счёт №12', '<b>10 bUSDT</b>', 'Получено: <b>12,5 bUSDT</b>'].join('\n'),
    );
    const facts: PaymentFacts = {
      status: 'OverPaid',
      previousStatus: 'Created',
      paidAmount: '12.5',
      paidToken: 'bUSDT',
    };
    expect(renderPaymentReply(ru, 'overpaid_reply', over, facts).text).toBe(
      '✅ Оплата получена: <b>12,5 bUSDT</b>. Переплата — 2,5 bUSDT сверх 10 bUSDT к оплате; договоритесь о разнице с покупателем.',
    );
    expect(renderPaymentReply(en, 'overpaid_reply', over, facts).text).toBe(
      '✅ Payment received: <b>12.5 bUSDT</b>. That is 2.5 bUSDT more than the 10 bUSDT due; settle the difference with the customer.',
    );
  });
});

describe('the underpaid reply: two short lines', () => {
  const partly = invoice({ amount: '10', status: 'UnderPaid', description: 'Tea' });
  const facts: PaymentFacts = { status: 'UnderPaid', previousStatus: 'Created', paidAmount: '4.5', paidToken: 'bUSDT' };

  it('received X of Y, Z missing; then the card’s “Pay the remaining”', () => {
    expect(renderPaymentReply(en, 'underpaid_reply', partly, facts).text).toBe(
      [
        '⚠️ Partly paid for <i>“Tea”</i>: <b>4.5 bUSDT</b> of <b>10 bUSDT</b> received, 5.5 bUSDT missing.',
        "The customer can pay the rest with “Pay the remaining” on the card; I'll confirm here when it arrives.",
      ].join('\n'),
    );
    expect(renderPaymentReply(ru, 'underpaid_reply', partly, facts).text).toBe(
      [
        '⚠️ Частичная оплата за <i>«Tea»</i>: получено <b>4,5 bUSDT</b> из <b>10 bUSDT</b>, не хватает 5,5 bUSDT.',
        'Покупатель может доплатить кнопкой «Доплатить» на карточке; я подтвержу здесь, когда придёт остаток.',
      ].join('\n'),
    );
  });

  it('a remainder (no button of its own) or a payment in another token: re-checks until expiry', () => {
    const remainder = invoice({ ...partly, remainderOfInvoiceId: 11 });
    expect(renderPaymentReply(en, 'underpaid_reply', remainder, facts).text.split('\n')).toEqual([
      '⚠️ Partly paid for <i>“Tea”</i>: <b>4.5 bUSDT</b> of <b>10 bUSDT</b> received, 5.5 bUSDT missing.',
      'I keep checking until the invoice expires (26 Nov 2026, 09:20 UTC) and will confirm here if the rest arrives.',
    ]);
    const otherToken = { ...facts, paidToken: 'pUSDC' };
    expect(renderPaymentReply(ru, 'underpaid_reply', partly, otherToken).text.split('\n')).toEqual([
      '⚠️ Частичная оплата за <i>«Tea»</i>: получено <b>4,5 pUSDC</b> из <b>10 bUSDT</b>.',
      'Я проверяю счёт, пока он не истечёт (26 нояб. 2026, 09:20 UTC), и сообщу здесь, если придёт остаток.',
    ]);
  });
});
