// The values the schema's typed columns hold, defined once: invoice statuses (invoices.status), notification
// kinds (outbox.kind) and each kind's payload (outbox.payload). Everything else derives its types from these,
// so adding a status or a kind fails `npm run typecheck` wherever it must be handled. What each status means
// and how an invoice moves between them is the state machine (src/invoices/state-machine.ts).

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

/** Replies to the invoice's /pay message about a payment (or a failed one). */
export const PAYMENT_REPLY_KINDS = ['paid_reply', 'overpaid_reply', 'underpaid_reply', 'invalid_reply'] as const;
export type PaymentReplyKind = (typeof PAYMENT_REPLY_KINDS)[number];

/**
 * Edits of the invoice card (all start with `card_`): once it can no longer be paid through its Pay button, and
 * `card_inline`, which turns an inline message's preview into its card.
 */
export const CARD_EDIT_KINDS = [
  'card_paid',
  'card_closed',
  'card_expired',
  'card_cancelled',
  'card_linked',
  'card_inline',
] as const;
export type CardEditKind = (typeof CARD_EDIT_KINDS)[number];

// The card itself is queued with the invoice (src/invoices/issue.ts): `new_card` is a new message in the chat, paced
// and budgeted like a reply (it does not start with `card_`); an inline invoice's card is the `card_inline` edit.
export const NOTIFICATION_KINDS = [...PAYMENT_REPLY_KINDS, ...CARD_EDIT_KINDS, 'reminder_reply', 'new_card'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** What the transition that queued a reply or card edit knew (src/invoices/transition.ts writes it). */
export interface TransitionFacts {
  status: InvoiceStatus;
  previousStatus: InvoiceStatus;
  /** As SMARTy Pay reported it (any token); null when it reported none. */
  paidAmount: string | null;
  paidToken: string | null;
  /**
   * Only when the invoice settled: the status of its linked invoice (remainder or original) at that moment,
   * under lock, or null when it has none (see src/views/sale.ts).
   */
  linkedStatus?: InvoiceStatus | null;
}

/** The invoice's status when the row was queued. */
export interface StatusSnapshot {
  status: InvoiceStatus;
}

/**
 * Each kind's payload. `card_linked`: the other card of a two-part sale, queued when this invoice settled, with
 * that other invoice's status. `new_card`, `card_inline`: the status the invoice was issued in. A kind missing here
 * makes OutboxNotification below fail to compile.
 */
export type NotificationPayloads = Record<
  Exclude<PaymentReplyKind | CardEditKind, 'card_linked' | 'card_inline'>,
  TransitionFacts
> & {
  card_linked: StatusSnapshot;
  reminder_reply: StatusSnapshot;
  new_card: StatusSnapshot;
  card_inline: StatusSnapshot;
};

/** An outbox row's kind and payload, discriminated by kind. */
export type OutboxNotification = {
  [K in NotificationKind]: { kind: K; payload: NotificationPayloads[K] };
}[NotificationKind];

export type NotificationPayload = OutboxNotification['payload'];
