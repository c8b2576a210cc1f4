import { describe, expect, it } from 'vitest';
import type { InvoiceRow } from '../../src/db/schema.js';
import type { TransitionFacts } from '../../src/db/vocabulary.js';
import { createTranslator } from '../../src/i18n/index.js';
import { createNotificationRenderer, type RenderedRow } from '../../src/notify/render.js';
import { type PaymentFacts, type ReplyInvoice, renderPaymentReply, renderReminder } from '../../src/views/replies.js';
import { invoiceRow } from '../support/invoice-row.js';

// Every payment reply the chat can get, rendered exactly, in English and Russian; then what render.ts makes of an
// outbox row: which language, which message it replies to, when it skips. No app, no database.

const translator = createTranslator({ localeOf: async () => 'en' });
const NOW = new Date(Date.UTC(2026, 10, 26, 8, 20));
const LOCALES = ['en', 'ru'] as const;

function invoice(values: Partial<InvoiceRow> = {}): InvoiceRow {
  return invoiceRow(NOW, {
    description: 'Coffee',
    status: 'Paid',
    expiresAt: new Date(NOW.getTime() + 30 * 60_000),
    ...values,
  });
}

const paid: PaymentFacts = { status: 'Paid', previousStatus: 'Created', paidAmount: '10', paidToken: 'bUSDT' };

interface ReplyCase {
  name: string;
  kind: 'paid_reply' | 'overpaid_reply' | 'underpaid_reply' | 'invalid_reply';
  invoice?: Partial<ReplyInvoice>;
  facts: PaymentFacts;
  en: string;
  ru: string;
}

const CASES: ReplyCase[] = [
  {
    name: 'paid',
    kind: 'paid_reply',
    facts: paid,
    en: '✅ Payment received: <b>10 bUSDT</b> for <i>“Coffee”</i>.',
    ru: '✅ Оплата получена: <b>10 bUSDT</b> за <i>«Coffee»</i>.',
  },
  {
    name: 'paid, SMARTy Pay naming no amount: the amount due',
    kind: 'paid_reply',
    facts: { ...paid, paidAmount: null, paidToken: null },
    en: '✅ Payment received: <b>10 bUSDT</b> for <i>“Coffee”</i>.',
    ru: '✅ Оплата получена: <b>10 bUSDT</b> за <i>«Coffee»</i>.',
  },
  {
    name: 'paid in another token: what arrived, never compared with what was due',
    kind: 'paid_reply',
    facts: { ...paid, paidAmount: '9.5', paidToken: 'bUSDC' },
    en: '✅ Payment received: <b>9.5 bUSDC</b> for <i>“Coffee”</i>.',
    ru: '✅ Оплата получена: <b>9,5 bUSDC</b> за <i>«Coffee»</i>.',
  },
  {
    name: 'paid after expiry',
    kind: 'paid_reply',
    facts: { ...paid, previousStatus: 'Expired' },
    en: '✅ Payment received (after the invoice had expired): <b>10 bUSDT</b> for <i>“Coffee”</i>.',
    ru: '✅ Оплата получена (после истечения срока счёта): <b>10 bUSDT</b> за <i>«Coffee»</i>.',
  },
  {
    name: 'paid after /cancel',
    kind: 'paid_reply',
    invoice: { cancelledAt: NOW },
    facts: paid,
    en: '✅ Payment received after the invoice was cancelled: <b>10 bUSDT</b> for <i>“Coffee”</i>. The customer paid anyway: deliver the order or refund them.',
    ru: '✅ Оплата получена после отмены счёта: <b>10 bUSDT</b> за <i>«Coffee»</i>. Покупатель всё равно заплатил: выполните заказ или верните деньги.',
  },
  {
    name: 'paid, but less than due in the same token: flagged',
    kind: 'paid_reply',
    facts: { ...paid, paidAmount: '9.5' },
    en: '✅ Payment received: <b>9.5 bUSDT</b> for <i>“Coffee”</i>. ⚠️ SMARTy Pay marked it paid, but only 9.5 bUSDT of the 10 bUSDT due arrived (0.5 bUSDT missing): check the payment in SMARTy Pay before you deliver.',
    ru: '✅ Оплата получена: <b>9,5 bUSDT</b> за <i>«Coffee»</i>. ⚠️ SMARTy Pay отметил счёт оплаченным, но пришло только 9,5 bUSDT из 10 bUSDT (не хватает 0,5 bUSDT): проверьте платёж в SMARTy Pay, прежде чем выполнять заказ.',
  },
  {
    name: 'overpaid, the excess known',
    kind: 'overpaid_reply',
    facts: { ...paid, status: 'OverPaid', paidAmount: '12.25' },
    en: '✅ Payment received: <b>12.25 bUSDT</b> for <i>“Coffee”</i>. That is 2.25 bUSDT more than the 10 bUSDT due; settle the difference with the customer.',
    ru: '✅ Оплата получена: <b>12,25 bUSDT</b> за <i>«Coffee»</i>. Переплата — 2,25 bUSDT сверх 10 bUSDT к оплате; договоритесь о разнице с покупателем.',
  },
  {
    name: 'overpaid, the amount not named',
    kind: 'overpaid_reply',
    facts: { ...paid, status: 'OverPaid', paidAmount: null, paidToken: null },
    en: '✅ Payment received: <b>10 bUSDT</b> for <i>“Coffee”</i>. That is more than was due; settle the difference with the customer.',
    ru: '✅ Оплата получена: <b>10 bUSDT</b> за <i>«Coffee»</i>. Это переплата; договоритесь о разнице с покупателем.',
  },
  {
    name: 'underpaid: what is missing, then the card’s Pay the remaining',
    kind: 'underpaid_reply',
    facts: { ...paid, status: 'UnderPaid', paidAmount: '4' },
    en: "⚠️ Partly paid for <i>“Coffee”</i>: <b>4 bUSDT</b> of <b>10 bUSDT</b> received, 6 bUSDT missing.\nThe customer can pay the rest with “Pay the remaining” on the card; I'll confirm here when it arrives.",
    ru: '⚠️ Частичная оплата за <i>«Coffee»</i>: получено <b>4 bUSDT</b> из <b>10 bUSDT</b>, не хватает 6 bUSDT.\nПокупатель может доплатить кнопкой «Доплатить» на карточке; я подтвержу здесь, когда придёт остаток.',
  },
  {
    name: 'invalid',
    kind: 'invalid_reply',
    facts: { ...paid, status: 'Invalid', paidAmount: null, paidToken: null },
    en: "❌ The payment for <i>“Coffee”</i> failed: SMARTy Pay marked it invalid and nothing was credited to you. If the customer's wallet was charged, they should contact SMARTy Pay support. Issue a new invoice with /pay to try again.",
    ru: '❌ Оплата за <i>«Coffee»</i> не прошла: SMARTy Pay признал её недействительной, и вам ничего не зачислено. Если с кошелька покупателя списали деньги, ему стоит обратиться в поддержку SMARTy Pay. Выставьте новый счёт командой /pay, чтобы попробовать снова.',
  },
  {
    name: 'invalid, without a description',
    kind: 'invalid_reply',
    invoice: { description: null },
    facts: { ...paid, status: 'Invalid', paidAmount: null, paidToken: null },
    en: "❌ The payment failed: SMARTy Pay marked it invalid and nothing was credited to you. If the customer's wallet was charged, they should contact SMARTy Pay support. Issue a new invoice with /pay to try again.",
    ru: '❌ Оплата не прошла: SMARTy Pay признал её недействительной, и вам ничего не зачислено. Если с кошелька покупателя списали деньги, ему стоит обратиться в поддержку SMARTy Pay. Выставьте новый счёт командой /pay, чтобы попробовать снова.',
  },
];

describe('payment replies, exactly', () => {
  for (const locale of LOCALES) {
    it.each(CASES)(`${locale}: $name`, (c) => {
      const t = translator.forLocale(locale);
      const message = renderPaymentReply(t, c.kind, invoice(c.invoice), c.facts);
      expect(message).toEqual({ text: c[locale] });
    });
  }

  it('the reminder: amount, description, minutes left and the time, with the Pay button again', () => {
    expect(renderReminder(translator.forLocale('en'), invoice({ status: 'Created' }), NOW)).toEqual({
      text: '⏰ Reminder: invoice #12 for <b>10 bUSDT</b> for <i>“Coffee”</i> expires in 30 min (26 Nov 2026, 08:50 UTC).',
      replyMarkup: {
        inline_keyboard: [[{ text: '💳 Pay 10 bUSDT', url: 'https://checkout.example/?invoice-id=sp-12' }]],
      },
    });
    expect(renderReminder(translator.forLocale('ru'), invoice({ status: 'Created' }), NOW)).toEqual({
      text: '⏰ Напоминание: счёт №12 на <b>10 bUSDT</b> за <i>«Coffee»</i> истекает через 30 мин (26 нояб. 2026, 08:50 UTC).',
      replyMarkup: {
        inline_keyboard: [[{ text: '💳 Оплатить 10 bUSDT', url: 'https://checkout.example/?invoice-id=sp-12' }]],
      },
    });
  });
});

describe('render: an outbox row at send time', () => {
  const render = createNotificationRenderer({ translator, now: () => NOW });
  function row(
    kind: RenderedRow['kind'],
    payload: TransitionFacts = paid,
    targetMessageId: number | null = 5,
  ): RenderedRow {
    return {
      id: 1,
      dedupeKey: `12:${kind}`,
      kind,
      invoiceId: 12,
      chatId: -100,
      targetMessageId,
      payload,
      status: 'sending',
      attempts: 1,
      nextAttemptAt: NOW,
      leaseUntil: NOW,
      lastError: null,
      createdAt: NOW,
      sentAt: null,
    } as RenderedRow;
  }

  it('a reply is in the chat’s /lang choice, else the invoice’s locale, and replies to the /pay message', () => {
    const english = invoice({ locale: 'en' });
    expect(render(row('paid_reply'), english, 'ru')).toEqual({
      kind: 'message',
      message: { text: '✅ Оплата получена: <b>10 bUSDT</b> за <i>«Coffee»</i>.' },
      replyTo: 5,
    });
    expect(render(row('paid_reply'), invoice({ locale: 'ru' }), null)).toMatchObject({
      message: { text: '✅ Оплата получена: <b>10 bUSDT</b> за <i>«Coffee»</i>.' },
    });
  });

  it('a card edit stays in the language the card was sent in, whatever /lang says now', () => {
    const sent = render(row('card_paid', paid, null), invoice({ locale: 'en', paidAmount: '10' }), 'ru');
    expect(sent.kind).toBe('edit');
    if (sent.kind !== 'edit') return;
    expect(sent.cardMessageId).toBe(6);
    expect(sent.card.text).toMatch(/^✅ <b>Paid<\/b> · invoice #12\n/);
  });

  it('an edit of a card never recorded is skipped; an inline card is edited by its inline id, without buttons', () => {
    expect(render(row('card_paid', paid, null), invoice({ cardMessageId: null }), null)).toEqual({
      kind: 'skip',
      note: 'the invoice card was never recorded; nothing to edit',
    });
    const inline = render(
      row('card_paid', paid, null),
      invoice({ cardMessageId: null, inlineMessageId: 'AAE-1' }),
      null,
    );
    expect(inline).toMatchObject({ kind: 'edit', cardMessageId: null });
    if (inline.kind === 'edit') expect(inline.card.replyMarkup).toBeUndefined();
  });

  it('a reminder for an invoice that is no longer open is skipped; an open one replies to /pay', () => {
    const snapshot = { status: 'Created' } as unknown as TransitionFacts;
    expect(render(row('reminder_reply', snapshot), invoice({ status: 'Paid' }), null)).toEqual({
      kind: 'skip',
      note: 'invoice is Paid now',
    });
    expect(render(row('reminder_reply', snapshot), invoice({ status: 'Created' }), 'ru')).toMatchObject({
      kind: 'message',
      replyTo: 5,
      message: { text: expect.stringMatching(/^⏰ Напоминание: счёт №12/) },
    });
  });

  it('a remainder’s reply goes to the original’s /pay message', () => {
    const original = invoice({ id: 11, payMessageId: 3, status: 'UnderPaid', paidAmount: '4' });
    const remainder = invoice({ id: 12, payMessageId: 9, remainderOfInvoiceId: 11, amount: '6' });
    const rendered = render(row('paid_reply', { ...paid, paidAmount: '6' }), remainder, null, original);
    expect(rendered).toMatchObject({ kind: 'message', replyTo: 3 });
  });
});
