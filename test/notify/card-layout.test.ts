import { describe, expect, it } from 'vitest';
import { renderStatus } from '../../src/bot/features/status.js';
import type { InvoiceRow } from '../../src/db/schema.js';
import { createTranslator } from '../../src/i18n/index.js';
import { renderClosedCard, renderOpenCard } from '../../src/notify/messages.js';
import { type PaymentFacts, renderPaymentReply } from '../../src/notify/replies.js';

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
  return {
    id: 12,
    smartyPayId: 'sp-12',
    chatId: -100,
    payMessageId: 5,
    inlineMessageId: null,
    locale: 'en',
    cardMessageId: 6,
    issuedByUserId: 4242,
    amount: '10.00000000',
    token: 'bUSDT',
    description: HOSTILE,
    status: 'Created',
    checkoutUrl: 'https://checkout.example/?invoice-id=sp-12',
    createdAt: NOW,
    expiresAt: new Date(NOW.getTime() + 60 * 60_000),
    paidAt: null,
    paidAmount: null,
    paidToken: null,
    nextCheckAt: null,
    checkFailures: 0,
    remainderOfInvoiceId: null,
    cancelledAt: null,
    cancelledByUserId: null,
    remindAt: null,
    statusCheckedAt: null,
    updatedAt: NOW,
    ...values,
  };
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
        'Pay with crypto through SMARTy Pay. This message will confirm the payment.',
      ].join('\n'),
    );
    expect(renderOpenCard(ru, invoice(), NOW).text).toBe(
      [
        '🧾 <b>Счёт №12</b>',
        '<b>10 bUSDT</b>',
        'Действует до: 26 нояб. 2026, 09:20 UTC (ещё 60 мин)',
        QUOTED_RU,
        '',
        'Оплата криптовалютой через SMARTy Pay. Это сообщение подтвердит оплату.',
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
    expect(renderStatus(en, paid, NOW).text).toBe(
      [
        '🧾 <b>Invoice #12</b>',
        '<b>10 bUSDT</b>',
        'Status: ✅ Paid',
        'Received: <b>10 bUSDT</b>',
        'Created: 26 Nov 2026, 08:20 UTC',
        'Valid until: 26 Nov 2026, 09:20 UTC',
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
