import type { InvoiceStatus, NotificationKind, ShopKind } from '../db/vocabulary.js';
import { compareDecimals } from '../decimal.js';

// The invoice state machine, as data. SMARTy Pay delivers at least once and out of order, so a status only
// moves an invoice forward: a paid invoice never goes back, stale and repeated events do nothing.
// The one statement that applies it is src/invoices/transition.ts; every status set used elsewhere is derived
// from this table below it.
//
// Read `from` as ranks: Unconfirmed/Created 0 → Confirming 1 → Expired/Cancelled 2 → UnderPaid 3 → Invalid 4 →
// Paid/SimplePaid/OverPaid 5 → Withdrawn 6 (only after a payment). A status applies to an invoice of a lower rank.
// Expired ranks low on purpose: money that arrives after expiry is still recorded ("paid after expiry"). Cancelled
// shares Expired's rank: a payment still moves it forward, and neither overrides the other. The paid family shares
// one rank, so the first of them wins.

/** What moves an invoice: SMARTy Pay (a webhook or a re-check), our own expiry, or /cancel. */
export type Cause = 'remote' | 'expire' | 'cancel';

/** What entering a status does to the re-checks (`next_check_at`) and the "expires soon" reminder (`remind_at`). */
export type Schedule =
  /** Still waiting for money (the Pay button is live): both stay. */
  | 'check_and_remind'
  /** Re-checked until expiry, so a payment whose webhook is lost is still found; no reminder. */
  | 'keep_checking'
  /** Nothing left to find out. */
  | 'stop_checking';

/** What entering a status says about money, and so which columns it writes. */
export type Payment =
  /** No money yet (SMARTy Pay's paid amount, if it reports one, is recorded). */
  | 'none'
  | 'partial'
  /** The sale is settled: `paid_at` is set, and a linked invoice (remainder or original) is told. */
  | 'settled'
  /** The merchant moved the money out: what was paid, in what and when stays as it was. */
  | 'withdrawn';

/**
 * What entering a status does to a shop invoice's key (product_keys): keeps it reserved, returns it to stock (the
 * invoice can no longer be paid through its card), or sells it: the reserved one, the original's for a remainder,
 * or after a release (a late payment) any free one, if one is left.
 */
export type KeyEffect = 'keep' | 'release' | 'sell';

export interface StateEntry {
  /** The statuses this one applies to; [] = only issue.ts creates an invoice in it. */
  from: readonly InvoiceStatus[];
  /** Who may move an invoice here ('remote' exactly for SMARTy Pay's own statuses). */
  by: readonly Cause[];
  /**
   * The one same-status move: UnderPaid again when more money arrived in the invoice's token (isTopUp). Its
   * notifications are keyed by the amount too (`<id>:<kind>:<amount>`), so each larger amount is told once.
   */
  again?: 'when_more_paid';
  /** Queued in the same statement, each once per invoice (`<id>:<kind>`). */
  notify: readonly NotificationKind[];
  /**
   * Queued in the same statement too, keyed the same way, but only for an invoice of a product (the shop):
   * `delivery` to the buyer, `sale_notice` to the product's merchant.
   */
  shop: readonly ShopKind[];
  schedule: Schedule;
  payment: Payment;
  keys: KeyEffect;
}

const BEFORE_EXPIRY = ['Unconfirmed', 'Created', 'Confirming'] as const;
const UNPAID = [...BEFORE_EXPIRY, 'Expired', 'Cancelled'] as const;
const SETTLED = ['Paid', 'SimplePaid', 'OverPaid'] as const;

export const STATE_MACHINE: Record<InvoiceStatus, StateEntry> = {
  // A create that timed out: SMARTy Pay may have the invoice under an id we do not know. Local; left by the first
  // webhook naming our (chat, message) that raises it (it adopts the row), or by /cancel.
  Unconfirmed: { from: [], by: [], notify: [], shop: [], schedule: 'stop_checking', payment: 'none', keys: 'keep' },
  // Issued: re-checked 1, 5 and 15 minutes after creation and at expiry, reminded before expiry.
  Created: {
    from: [],
    by: ['remote'],
    notify: [],
    shop: [],
    schedule: 'check_and_remind',
    payment: 'none',
    keys: 'keep',
  },
  Confirming: {
    from: ['Unconfirmed', 'Created'],
    by: ['remote'],
    notify: [],
    shop: [],
    schedule: 'check_and_remind',
    payment: 'none',
    keys: 'keep',
  },
  // SMARTy Pay sends no webhook for expiry: the reconciler finds it, or expires locally when SMARTy Pay is unreachable.
  Expired: {
    from: BEFORE_EXPIRY,
    by: ['remote', 'expire'],
    notify: ['card_expired'],
    shop: [],
    schedule: 'stop_checking',
    payment: 'none',
    keys: 'release',
  },
  // Local (SMARTy Pay has no cancel; a webhook saying it is ignored). Re-checked until expiry, so a payment
  // made anyway is found even when its webhook is lost.
  Cancelled: {
    from: BEFORE_EXPIRY,
    by: ['cancel'],
    notify: ['card_cancelled'],
    shop: [],
    schedule: 'keep_checking',
    payment: 'none',
    keys: 'release',
  },
  // SMARTy Pay documents no top-up, but may report more later; the card offers "Pay the remaining".
  UnderPaid: {
    from: UNPAID,
    by: ['remote'],
    again: 'when_more_paid',
    notify: ['underpaid_reply', 'card_closed'],
    // The buyer gets nothing yet (the reply says what is missing); the merchant is told.
    shop: ['sale_notice'],
    schedule: 'keep_checking',
    payment: 'partial',
    keys: 'keep',
  },
  Invalid: {
    from: [...UNPAID, 'UnderPaid'],
    by: ['remote'],
    notify: ['invalid_reply', 'card_closed'],
    // The buyer's reply says nothing was delivered; the merchant is told the payment failed.
    shop: ['sale_notice'],
    schedule: 'stop_checking',
    payment: 'none',
    keys: 'release',
  },
  Paid: {
    from: [...UNPAID, 'UnderPaid', 'Invalid'],
    by: ['remote'],
    notify: ['paid_reply', 'card_paid'],
    shop: ['delivery', 'sale_notice', 'access_invite'],
    schedule: 'stop_checking',
    payment: 'settled',
    keys: 'sell',
  },
  SimplePaid: {
    from: [...UNPAID, 'UnderPaid', 'Invalid'],
    by: ['remote'],
    notify: ['paid_reply', 'card_paid'],
    shop: ['delivery', 'sale_notice', 'access_invite'],
    schedule: 'stop_checking',
    payment: 'settled',
    keys: 'sell',
  },
  OverPaid: {
    from: [...UNPAID, 'UnderPaid', 'Invalid'],
    by: ['remote'],
    notify: ['overpaid_reply', 'card_paid'],
    shop: ['delivery', 'sale_notice', 'access_invite'],
    schedule: 'stop_checking',
    payment: 'settled',
    keys: 'sell',
  },
  Withdrawn: {
    from: SETTLED,
    by: ['remote'],
    notify: [],
    shop: [],
    schedule: 'stop_checking',
    payment: 'withdrawn',
    keys: 'keep',
  },
};

const statusesWhere = (test: (entry: StateEntry) => boolean): readonly InvoiceStatus[] =>
  (Object.keys(STATE_MACHINE) as InvoiceStatus[]).filter((status) => test(STATE_MACHINE[status]));

/** Still waiting for money: the Pay button is live and the reminder due (Created, Confirming). */
export const OPEN_STATUSES = statusesWhere((entry) => entry.schedule === 'check_and_remind');
/** Asked about again at SMARTy Pay until expiry (open, UnderPaid, Cancelled). */
export const RECHECKED_STATUSES = statusesWhere((entry) => entry.schedule !== 'stop_checking');
/** The sale is settled (Paid, SimplePaid, OverPaid). */
export const SETTLED_STATUSES = statusesWhere((entry) => entry.payment === 'settled');
/** Money arrived in full (Withdrawn: and the merchant moved it out since). */
export const PAID_STATUSES = statusesWhere((entry) => entry.payment === 'settled' || entry.payment === 'withdrawn');
/** Money arrived, in full or in part. */
export const MONEY_ARRIVED_STATUSES = statusesWhere((entry) => entry.payment !== 'none');

export const isOpenStatus = (status: InvoiceStatus) => OPEN_STATUSES.includes(status);
export const isSettledStatus = (status: InvoiceStatus) => SETTLED_STATUSES.includes(status);
export const isPaidStatus = (status: InvoiceStatus) => PAID_STATUSES.includes(status);

export function canTransition(from: InvoiceStatus, to: InvoiceStatus): boolean {
  return STATE_MACHINE[to].from.includes(from);
}

/** What the chat must be told when an invoice enters `to` (for a product's invoice, its shop kinds too). */
export function notificationsFor(to: InvoiceStatus): readonly NotificationKind[] {
  return [...STATE_MACHINE[to].notify, ...STATE_MACHINE[to].shop];
}

/** The shape isTopUp and its SQL (transition.ts) accept as an amount. */
export const PLAIN_DECIMAL_PATTERN = '^[0-9]+(\\.[0-9]+)?$';
const PLAIN_DECIMAL = new RegExp(PLAIN_DECIMAL_PATTERN);

function isPlainDecimal(value: string | null | undefined): value is string {
  return typeof value === 'string' && PLAIN_DECIMAL.test(value);
}

/**
 * The guard of `again: 'when_more_paid'`: a second UnderPaid that reports more money in the invoice's token (4,
 * then 8 of 10). Amounts are decimal strings as SMARTy Pay reports them; anything that is not a plain decimal
 * never counts as more.
 */
export function isTopUp(
  from: { status: InvoiceStatus; token: string; paidAmount: string | null; paidToken: string | null },
  to: { status: InvoiceStatus; paidAmount: string | undefined; paidToken: string | undefined },
): boolean {
  if (from.status !== to.status || STATE_MACHINE[to.status].again !== 'when_more_paid') return false;
  if (to.paidToken !== from.token || (from.paidToken ?? from.token) !== from.token) return false;
  if (!isPlainDecimal(to.paidAmount) || !isPlainDecimal(from.paidAmount)) return false;
  return compareDecimals(to.paidAmount, from.paidAmount) > 0;
}
