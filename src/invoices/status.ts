import { compareDecimals } from './amount.js';

// The invoice state machine. SMARTy Pay delivers at least once and out of order, so a status
// only moves an invoice forward: a paid invoice never goes back, stale and repeated events do nothing.

export const INVOICE_STATUSES = [
  'Unconfirmed',
  'Created',
  'Confirming',
  'Expired',
  'Cancelled',
  'UnderPaid',
  'Invalid',
  'Paid',
  'SimplePaid',
  'OverPaid',
  'Withdrawn',
] as const;

export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

/**
 * Higher rank wins. Expired ranks low on purpose: money that arrives after expiry is still
 * recorded ("paid after expiry"). Cancelled (local only: SMARTy Pay has no cancel) shares Expired's
 * rank: a payment still moves it forward, and neither overrides the other. The paid family shares
 * one rank, so the first of them wins. Withdrawn (merchant moved the funds out) can only follow a payment.
 * Unconfirmed (local only) is a create that timed out: SMARTy Pay may have the invoice, we do not know its id.
 * It ranks like Created, so the first webhook for it that names our (chat, message) applies (see transition.ts).
 */
const RANK: Record<InvoiceStatus, number> = {
  Unconfirmed: 0,
  Created: 0,
  Confirming: 1,
  Expired: 2,
  Cancelled: 2,
  UnderPaid: 3,
  Invalid: 4,
  Paid: 5,
  SimplePaid: 5,
  OverPaid: 5,
  Withdrawn: 6,
};

export function rankOf(status: InvoiceStatus): number {
  return RANK[status];
}

export function isInvoiceStatus(value: string): value is InvoiceStatus {
  return (INVOICE_STATUSES as readonly string[]).includes(value);
}

/** Money arrived (Withdrawn: and the merchant moved it out). SQL filters use the same list. */
export const PAID_STATUSES: readonly InvoiceStatus[] = ['Paid', 'SimplePaid', 'OverPaid', 'Withdrawn'];

export function isPaidStatus(status: string): boolean {
  return (PAID_STATUSES as readonly string[]).includes(status);
}

/**
 * Set only by us, never by SMARTy Pay (a webhook or re-check saying one is ignored): Cancelled by /cancel,
 * Unconfirmed by a create that timed out.
 */
export const LOCAL_ONLY_STATUSES: readonly string[] = ['Cancelled', 'Unconfirmed'];

/** Still waiting for money: the Pay button is live. */
export function isOpenStatus(status: string): boolean {
  return status === 'Created' || status === 'Confirming';
}

/** Paid, SimplePaid, OverPaid: the sale is settled (Withdrawn only follows one of them). */
export function isSettledStatus(status: string): boolean {
  return isPaidStatus(status) && status !== 'Withdrawn';
}

export function canTransition(from: string, to: string): boolean {
  if (!isInvoiceStatus(from) || !isInvoiceStatus(to)) return false;
  if (to === 'Withdrawn') return isSettledStatus(from);
  return RANK[to] > RANK[from];
}

/**
 * The one same-rank move: a second UnderPaid that reports more money in the invoice's token (4, then 8 of 10)
 * is recorded and told to the chat. Amounts are decimal strings as SMARTy Pay reports them; anything that is not
 * a plain decimal never counts as more.
 */
export function isTopUp(
  from: { status: string; token: string; paidAmount: string | null; paidToken: string | null },
  to: { status: string; paidAmount: string | undefined; paidToken: string | undefined },
): boolean {
  if (from.status !== 'UnderPaid' || to.status !== 'UnderPaid') return false;
  if (to.paidToken !== from.token || (from.paidToken ?? from.token) !== from.token) return false;
  if (!isPlainDecimal(to.paidAmount) || !isPlainDecimal(from.paidAmount)) return false;
  return compareDecimals(to.paidAmount, from.paidAmount) > 0;
}

/** The shape isTopUp and its SQL (transition.ts) accept as an amount. */
export const PLAIN_DECIMAL_PATTERN = '^[0-9]+(\\.[0-9]+)?$';
const PLAIN_DECIMAL = new RegExp(PLAIN_DECIMAL_PATTERN);

function isPlainDecimal(value: string | null | undefined): value is string {
  return typeof value === 'string' && PLAIN_DECIMAL.test(value);
}

/** What the chat must be told when an invoice enters `to`. */
export type NotificationKind =
  | 'paid_reply'
  | 'card_paid'
  | 'overpaid_reply'
  | 'underpaid_reply'
  | 'invalid_reply'
  | 'card_closed'
  | 'card_expired'
  | 'card_cancelled'
  | 'reminder_reply'
  /** The card, queued with the invoice: a new message (new_card) or, inline, the inline message edited (card_inline). */
  | 'new_card'
  | 'card_inline';

export function notificationsFor(to: InvoiceStatus): NotificationKind[] {
  switch (to) {
    case 'Paid':
    case 'SimplePaid':
      return ['paid_reply', 'card_paid'];
    case 'OverPaid':
      return ['overpaid_reply', 'card_paid'];
    case 'UnderPaid':
      return ['underpaid_reply', 'card_closed'];
    case 'Expired':
      return ['card_expired'];
    case 'Cancelled':
      return ['card_cancelled'];
    case 'Invalid':
      return ['invalid_reply', 'card_closed'];
    default:
      return [];
  }
}
