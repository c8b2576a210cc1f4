import type { MessageEntity } from 'grammy/types';

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

/**
 * Only for an invoice of a product (the shop, src/products/): `delivery` sends the buyer what they bought, in their
 * chat; `sale_notice` tells the product's merchant, in their private chat, about a payment for it; `access_invite`
 * (only for a product with paid access, src/access/) grants or extends the buyer's access and sends their personal
 * join-request link.
 */
export const SHOP_KINDS = ['delivery', 'sale_notice', 'access_invite'] as const;
export type ShopKind = (typeof SHOP_KINDS)[number];

/**
 * Paid access's own messages, queued for a grant (no invoice row of their own): `access_renewal` before the access
 * ends, carrying a renewal invoice issued when it is sent; `access_removed` to a member removed on lapse or /revoke,
 * with Buy again; `access_rights_lost` to the product's merchant, once while the bot cannot remove members there.
 * Their outbox keys start with `access:` and name the grant (and the end or episode), so each is queued once.
 */
export const ACCESS_KINDS = ['access_renewal', 'access_removed', 'access_rights_lost'] as const;
export type AccessKind = (typeof ACCESS_KINDS)[number];

/**
 * Paid access (src/access/): where a grant is. `active` lets the user in until `ends_at` (+ grace); `removing` is
 * claimed by one process removing them from the chat; `removed` is done (a new payment makes it active again).
 */
export const ACCESS_GRANT_STATES = ['active', 'removing', 'removed'] as const;
export type AccessGrantState = (typeof ACCESS_GRANT_STATES)[number];

// The card itself is queued with the invoice (src/invoices/issue.ts): `new_card` is a new message in the chat, paced
// and budgeted like a reply (it does not start with `card_`); an inline invoice's card is the `card_inline` edit.
export const NOTIFICATION_KINDS = [
  ...PAYMENT_REPLY_KINDS,
  ...CARD_EDIT_KINDS,
  ...SHOP_KINDS,
  ...ACCESS_KINDS,
  'reminder_reply',
  'new_card',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/**
 * Where an outbox row is (outbox.status): waiting, held by a worker under a lease, or finished. A finished row is
 * never claimed again, so retention (src/db/retention.ts) may delete it once it is old.
 */
export const OUTBOX_STATUSES = ['pending', 'sending', 'sent', 'skipped', 'failed'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];
export const FINISHED_OUTBOX_STATUSES = ['sent', 'skipped', 'failed'] as const satisfies readonly OutboxStatus[];

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

/** What the transition that paid a product's invoice knew, with the product's state at that moment. */
export interface SaleFacts extends TransitionFacts {
  productState: ProductState;
}

/** The invoice's status when the row was queued. */
export interface StatusSnapshot {
  status: InvoiceStatus;
}

/** A paid-access message: the grant it is about and the end it was queued for (ISO; null = for life). */
export interface GrantFacts {
  grantId: number;
  endsAt: string | null;
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
  delivery: TransitionFacts;
  sale_notice: SaleFacts;
  access_invite: TransitionFacts;
  /** `reminder`: which reminder before this end (1 = the first). */
  access_renewal: GrantFacts & { reminder: number };
  access_removed: GrantFacts;
  access_rights_lost: GrantFacts;
};

/** An outbox row's kind and payload, discriminated by kind. */
export type OutboxNotification = {
  [K in NotificationKind]: { kind: K; payload: NotificationPayloads[K] };
}[NotificationKind];

export type NotificationPayload = OutboxNotification['payload'];

/**
 * A product (products.state): on sale, paused by its merchant (the link says so, no invoice), or deleted (kept for
 * its history; the link says it is gone).
 */
export const PRODUCT_STATES = ['active', 'paused', 'deleted'] as const;
export type ProductState = (typeof PRODUCT_STATES)[number];

/** The kinds of message a product can deliver besides text; each is sent again by its file id. */
export const CONTENT_MEDIA = ['photo', 'document', 'video', 'audio', 'voice'] as const;
export type ContentMedia = (typeof CONTENT_MEDIA)[number];

/**
 * What a product delivers (products.content): a message as /setcontent read it from the message it replied to: enough to
 * send a copy at any later time (Telegram file ids stay valid for the bot), so deleting the original changes
 * nothing. Entities keep the formatting; the copy is sent with them and no parse mode.
 */
export type MessageContent =
  | { type: 'text'; text: string; entities: MessageEntity[] }
  | { type: ContentMedia; fileId: string; caption: string | null; captionEntities: MessageEntity[] };

/** A message (/setcontent), or `keys`: each sale hands out one of the product's keys (/addkeys, product_keys). */
export type ProductContent = MessageContent | { type: 'keys' };
