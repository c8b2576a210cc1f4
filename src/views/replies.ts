import type { PaymentReplyKind, TransitionFacts } from '../db/vocabulary.js';
import { compareDecimals, subtractDecimals } from '../decimal.js';
import type { Translate } from '../i18n/index.js';
import {
  type CardInvoice,
  formatUtc,
  forWhat,
  minutesLeft,
  money,
  payButton,
  type RenderedMessage,
} from './messages.js';

// What the bot tells the chat about a payment (replying to the /pay message), and the reminder.

export interface ReplyInvoice extends CardInvoice {
  /** Set when /cancel closed the invoice: a payment after it is announced as such. */
  cancelledAt?: Date | null;
}

/** What the transition that queued a reply knew (see ./sale.ts for linkedStatus). */
export type PaymentFacts = TransitionFacts;

function received(t: Translate, invoice: CardInvoice, facts: PaymentFacts): string {
  const value = facts.paidAmount ?? invoice.amount;
  return money(t, value, facts.paidToken ?? invoice.token);
}

/**
 * A shop invoice's replies go to its buyer's own chat: the same facts, addressed to the buyer, since what the merchant
 * must do (settle, refund, deliver) is in the sale notice they get.
 */
const toBuyer = (invoice: CardInvoice) => (invoice.productId ?? null) !== null;

/** "Payment received: …", after expiry or after cancellation if that is what happened. */
function receivedLine(t: Translate, invoice: ReplyInvoice, facts: PaymentFacts): string {
  const args = { received: received(t, invoice, facts), what: forWhat(t, invoice.description) };
  if (invoice.cancelledAt) {
    return t(toBuyer(invoice) ? 'buyer-payment-received-after-cancel' : 'payment-received-after-cancel', args);
  }
  if (facts.previousStatus === 'Expired') return t('payment-received-after-expiry', args);
  return t('payment-received', args);
}

/** What was paid, when it is in the invoice's token and so comparable with what was due. */
function paidInInvoiceToken(invoice: CardInvoice, facts: PaymentFacts): string | undefined {
  return !facts.paidToken || facts.paidToken === invoice.token ? (facts.paidAmount ?? undefined) : undefined;
}

/** The excess of an OverPaid, when it can be computed (same token, amount known). */
function excessLine(t: Translate, invoice: CardInvoice, facts: PaymentFacts): string {
  const paid = paidInInvoiceToken(invoice, facts);
  const buyer = toBuyer(invoice);
  if (!paid || compareDecimals(paid, invoice.amount) <= 0) {
    return t(buyer ? 'buyer-overpaid-excess-unknown' : 'overpaid-excess-unknown');
  }
  return t(buyer ? 'buyer-overpaid-excess' : 'overpaid-excess', {
    excess: money(t, subtractDecimals(paid, invoice.amount), invoice.token),
    due: money(t, invoice.amount, invoice.token),
  });
}

/**
 * SMARTy Pay said Paid but, in the same token, less than due arrived: confirmed as it says, flagged so the
 * merchant checks before delivering.
 */
function shortLine(t: Translate, invoice: CardInvoice, facts: PaymentFacts): string {
  const paid = paidInInvoiceToken(invoice, facts);
  if (!paid || compareDecimals(invoice.amount, paid) <= 0) return '';
  return ` ${t(toBuyer(invoice) ? 'buyer-paid-short' : 'paid-short', {
    paid: money(t, paid, invoice.token),
    due: money(t, invoice.amount, invoice.token),
    missing: money(t, subtractDecimals(invoice.amount, paid), invoice.token),
  })}`;
}

/**
 * Two short lines: what arrived and what is missing, then what happens next (the card's "Pay the remaining", or
 * re-checks until expiry when no remainder can be offered: paid in another token, or this is itself a remainder).
 */
function underpaidText(t: Translate, invoice: CardInvoice, facts: PaymentFacts): string {
  const what = forWhat(t, invoice.description);
  const args = { what, received: received(t, invoice, facts), due: money(t, invoice.amount, invoice.token) };
  const paid = paidInInvoiceToken(invoice, facts);
  const missing =
    paid && compareDecimals(invoice.amount, paid) > 0 ? subtractDecimals(invoice.amount, paid) : undefined;
  const head =
    missing !== undefined
      ? t('underpaid-missing', { ...args, missing: money(t, missing, invoice.token) })
      : t('underpaid', args);
  const buyer = toBuyer(invoice);
  const next =
    missing !== undefined && !invoice.remainderOfInvoiceId
      ? t(buyer ? 'buyer-underpaid-next-rest' : 'underpaid-next-rest')
      : t(buyer ? 'buyer-underpaid-next' : 'underpaid-next', { at: formatUtc(t, invoice.expiresAt) });
  return `${head}\n${next}`;
}

export function renderPaymentReply(
  t: Translate,
  kind: PaymentReplyKind,
  invoice: ReplyInvoice,
  facts: PaymentFacts,
): RenderedMessage {
  switch (kind) {
    case 'paid_reply':
      return { text: `${receivedLine(t, invoice, facts)}${shortLine(t, invoice, facts)}` };
    case 'overpaid_reply':
      return { text: `${receivedLine(t, invoice, facts)} ${excessLine(t, invoice, facts)}` };
    case 'underpaid_reply':
      return { text: underpaidText(t, invoice, facts) };
    case 'invalid_reply':
      return {
        text: t(toBuyer(invoice) ? 'buyer-invalid-payment' : 'invalid-payment', {
          what: forWhat(t, invoice.description),
        }),
      };
  }
}

/** "Invoice #12 expires in 10 min", with the Pay button again. */
export function renderReminder(t: Translate, invoice: CardInvoice, now: Date): RenderedMessage {
  return {
    text: t('reminder', {
      id: String(invoice.id),
      amount: money(t, invoice.amount, invoice.token),
      what: forWhat(t, invoice.description),
      minutes: minutesLeft(invoice.expiresAt, now),
      at: formatUtc(t, invoice.expiresAt),
    }),
    replyMarkup: { inline_keyboard: [[payButton(t, invoice)]] },
  };
}
