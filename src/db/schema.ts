import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  bigint,
  bigserial,
  doublePrecision,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import {
  ACCESS_GRANT_STATES,
  INVOICE_STATUSES,
  NOTIFICATION_KINDS,
  type NotificationPayload,
  OUTBOX_STATUSES,
  type OutboxNotification,
  PRODUCT_STATES,
  type ProductContent,
} from './vocabulary.js';

// The single source of truth for the database; migrations in ./migrations are generated from it.

const tz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * The shop: what a merchant sells through a link anyone can open (`https://t.me/<bot>?start=<code>`). Each buyer's
 * invoice for it is an ordinary invoice with `product_id`; its payment queues the delivery (src/products/).
 */
export const products = pgTable(
  'products',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** Random and unguessable, `[A-Za-z0-9_-]`, ≤ 32 characters: the link's start parameter and the name in commands. */
    code: text('code').notNull(),
    /** Who created it (MERCHANT_USER_IDS): only they manage it, and their private chat gets its sale notices. */
    merchantUserId: bigint('merchant_user_id', { mode: 'number' }).notNull(),
    title: text('title').notNull(),
    amount: numeric('amount', { precision: 20, scale: 8 }).notNull(),
    token: text('token').notNull(),
    /** Null until /setcontent: such a product sells nothing yet. */
    content: jsonb('content').$type<ProductContent>(),
    state: text('state', { enum: PRODUCT_STATES }).notNull().default('active'),
    /** The merchant's language when they created it: their sale notices are written in it. */
    locale: text('locale').notNull().default('en'),
    /**
     * Paid access (/setaccess, src/access/): the private group or channel a payment lets the buyer into, null when
     * the product grants none. The bot is an administrator there with can_invite_users and can_restrict_members.
     */
    accessChatId: bigint('access_chat_id', { mode: 'number' }),
    /** The chat's title when /setaccess checked it: the product card says "Access to <title> for <period>". */
    accessChatTitle: text('access_chat_title'),
    /** How long one payment grants access, in seconds; null with a chat = for life. */
    accessPeriodSeconds: integer('access_period_seconds'),
    createdAt: tz('created_at').notNull().defaultNow(),
    updatedAt: tz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('products_code_key').on(t.code),
    // /products lists a merchant's products, newest first.
    index('products_merchant_created_idx').on(t.merchantUserId, t.createdAt),
  ],
);

export const invoices = pgTable(
  'invoices',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /**
     * SMARTy Pay's invoice id. An Unconfirmed invoice (the create timed out, SMARTy Pay may have it) holds
     * `unconfirmed:<chatId>:<messageId>` (see unconfirmedSmartyPayId) until a webhook naming that metadata arrives.
     */
    smartyPayId: text('smartypay_id').notNull(),
    /**
     * The chat the invoice lives in: where /pay was sent and its card is. Null for an inline-mode invoice: Telegram
     * never says which chat an inline message was posted in.
     */
    chatId: bigint('chat_id', { mode: 'number' }),
    /**
     * Where messages about the invoice go (its outbox rows' chat): `chatId`, or an inline invoice's issuer (their
     * private chat). Reports and /status, /cancel by number look an invoice up by it.
     */
    notifyChatId: bigint('notify_chat_id', { mode: 'number' }).notNull(),
    /**
     * The merchant's /pay message; the confirmation replies to it. Null for an inline-mode invoice, a remainder
     * (its confirmation replies to the original's /pay) and an invoice issued again (see `reissueOfInvoiceId`).
     */
    payMessageId: integer('pay_message_id'),
    /** Inline mode: the message `@bot 10 bUSDT coffee` posted in some chat; edited in place when paid. */
    inlineMessageId: text('inline_message_id'),
    /** The language chat texts about this invoice use unless the chat set one with /lang ('en' | 'ru'). */
    locale: text('locale').notNull().default('en'),
    /** The bot's invoice card (the message with the Pay button); null until Telegram accepted it. */
    cardMessageId: integer('card_message_id'),
    issuedByUserId: bigint('issued_by_user_id', { mode: 'number' }),
    amount: numeric('amount', { precision: 20, scale: 8 }).notNull(),
    token: text('token').notNull(),
    description: text('description'),
    status: text('status', { enum: INVOICE_STATUSES }).notNull(),
    checkoutUrl: text('checkout_url').notNull(),
    createdAt: tz('created_at').notNull().defaultNow(),
    expiresAt: tz('expires_at').notNull(),
    paidAt: tz('paid_at'),
    /** As SMARTy Pay reports it, may be in another token than `token` ("0.2125 btMNXe"). */
    paidAmount: text('paid_amount'),
    paidToken: text('paid_token'),
    /** When to ask SMARTy Pay for this invoice's state (a lost webhook, or expiry); null = never again. */
    nextCheckAt: tz('next_check_at'),
    checkFailures: integer('check_failures').notNull().default(0),
    /** Set by /cancel. SMARTy Pay has no cancel: a payment may still arrive and is recorded. */
    cancelledAt: tz('cancelled_at'),
    cancelledByUserId: bigint('cancelled_by_user_id', { mode: 'number' }),
    /** When to remind the chat that the invoice expires soon; null = no reminder due. */
    remindAt: tz('remind_at'),
    /** Last "Check status" tap that reached SMARTy Pay (taps are throttled per invoice). */
    statusCheckedAt: tz('status_checked_at'),
    updatedAt: tz('updated_at').notNull().defaultNow(),
    /** "Pay the remaining" on an UnderPaid card: this invoice is for the rest of that one (one per original). */
    remainderOfInvoiceId: bigint('remainder_of_invoice_id', { mode: 'number' }).references(
      (): AnyPgColumn => invoices.id,
    ),
    /** "Issue again" on an expired card: the invoice this one replaces (one per expired invoice). */
    reissueOfInvoiceId: bigint('reissue_of_invoice_id', { mode: 'number' }).references((): AnyPgColumn => invoices.id),
    /**
     * The shop: the product this invoice sells (`issuedByUserId` is then its buyer, `chatId` their private chat).
     * Its payment queues `delivery` to the buyer and `sale_notice` to the product's merchant (transition.ts).
     */
    productId: bigint('product_id', { mode: 'number' }).references(() => products.id),
    /** The buyer as Telegram named them when they opened the link, for the merchant's sale notice. */
    buyerName: text('buyer_name'),
    buyerUsername: text('buyer_username'),
  },
  (t) => [
    uniqueIndex('invoices_smartypay_id_key').on(t.smartyPayId),
    uniqueIndex('invoices_remainder_of_key').on(t.remainderOfInvoiceId).where(sql`remainder_of_invoice_id is not null`),
    uniqueIndex('invoices_reissue_of_key').on(t.reissueOfInvoiceId).where(sql`reissue_of_invoice_id is not null`),
    // One /pay message makes at most one invoice, however often Telegram delivers it.
    uniqueIndex('invoices_chat_pay_message_key').on(t.chatId, t.payMessageId),
    index('invoices_next_check_idx').on(t.nextCheckAt).where(sql`next_check_at is not null`),
    index('invoices_remind_idx').on(t.remindAt).where(sql`remind_at is not null`),
    uniqueIndex('invoices_inline_message_key').on(t.inlineMessageId).where(sql`inline_message_id is not null`),
    // The dashboard's list of every chat's invoices, newest first (keyset by created_at, id), and its 30-day figures.
    index('invoices_created_idx').on(t.createdAt, t.id),
    // /invoices, /stats and /export read the invoices a chat is told about, newest first, in (created_at, id) order:
    // with id in the index that order is the index's own. Without it the planner walked invoices_created_idx for the
    // order and filtered out every other chat's invoices (an /invoices page in a 50,000-invoice chat read 100,000
    // rows of a million: bench p6 3 → 13 ms).
    index('invoices_chat_created_id_idx').on(t.notifyChatId, t.createdAt, t.id),
    // The per-user /pay rate limit counts an issuer's recent invoices.
    index('invoices_issuer_created_idx').on(t.issuedByUserId, t.createdAt),
    // /products counts each product's sales and revenue.
    index('invoices_product_idx').on(t.productId).where(sql`product_id is not null`),
    // The shop: a buyer has at most one open invoice per product (opening the link again shows that one), however
    // many replicas take their /start at once. The statuses are OPEN_STATUSES (an Unconfirmed row has no link to show).
    uniqueIndex('invoices_product_buyer_open_key')
      .on(t.productId, t.issuedByUserId)
      .where(sql`product_id is not null and status in ('Created', 'Confirming')`),
  ],
);

/**
 * Every chat's invoices summed by status, token and paid token (the all-time part of /stats, the total of
 * /invoices): one row per combination instead of one per invoice, so those answers cost the same for a chat with
 * 50 invoices and one with 50,000. Kept by a trigger on invoices (migration 0013), in the same transaction as every
 * insert, change and delete of an invoice, whoever makes it. Amounts are exact sums (numeric).
 */
/** A group of a chat's invoices (status, token, paid token) and their sums: chat_invoice_totals' and _hours' columns. */
const invoiceGroupColumns = () => ({
  status: text('status', { enum: INVOICE_STATUSES }).notNull(),
  token: text('token').notNull(),
  /** invoices.paid_token, '' when none (a key column cannot be null). */
  paidToken: text('paid_token').notNull(),
  invoices: integer('invoices').notNull(),
  /** Sum of invoices.amount. */
  amount: numeric('amount').notNull(),
  /** Sum of invoices.paid_amount over the rows where it is a plain decimal; `reported` counts those rows. */
  reportedPaid: numeric('reported_paid').notNull(),
  reported: integer('reported').notNull(),
  /** Sum of invoices.amount over the other rows (no paid amount, or not a plain decimal). */
  unreportedAmount: numeric('unreported_amount').notNull(),
});

export const chatInvoiceTotals = pgTable(
  'chat_invoice_totals',
  {
    /** invoices.notify_chat_id: the chat the invoices are reported in. */
    chatId: bigint('chat_id', { mode: 'number' }).notNull(),
    ...invoiceGroupColumns(),
  },
  (t) => [primaryKey({ columns: [t.chatId, t.status, t.token, t.paidToken] })],
);

/**
 * chat_invoice_totals per hour of creation (UTC hours), kept by the same trigger, for /stats' 24 h and 7 day windows:
 * a window reads the hours inside it and, from invoices, only the part of an hour at its start. Hours older than
 * CHAT_INVOICE_HOURS_KEPT_DAYS are deleted by retention (src/db/retention.ts).
 */
export const chatInvoiceHours = pgTable(
  'chat_invoice_hours',
  {
    chatId: bigint('chat_id', { mode: 'number' }).notNull(),
    /** date_trunc('hour', invoices.created_at, 'UTC'). */
    hour: timestamp('hour', { withTimezone: true }).notNull(),
    ...invoiceGroupColumns(),
  },
  (t) => [
    primaryKey({ columns: [t.chatId, t.hour, t.status, t.token, t.paidToken] }),
    // Retention deletes the old hours.
    index('chat_invoice_hours_hour_idx').on(t.hour),
  ],
);

export const webhookEvents = pgTable(
  'webhook_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** eventId when SMARTy Pay sends one, else "<invoiceId>:<status>" (older payloads). */
    dedupeKey: text('dedupe_key').notNull(),
    smartyPayInvoiceId: text('smartypay_invoice_id').notNull(),
    status: text('status').notNull(),
    eventTs: tz('event_ts'),
    /** What the event did: applied, stale, unknown_invoice, or ignored (a status SMARTy Pay does not define). */
    outcome: text('outcome').notNull(),
    rawPayload: text('raw_payload').notNull(),
    receivedAt: tz('received_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('webhook_events_dedupe_key').on(t.dedupeKey),
    // An invoice's deliveries (the dashboard's detail view).
    index('webhook_events_invoice_idx').on(t.smartyPayInvoiceId),
    // Retention (src/db/retention.ts) deletes events older than DATA_RETENTION_DAYS.
    index('webhook_events_received_idx').on(t.receivedAt),
  ],
);

/**
 * Signed, well-formed SMARTy Pay webhooks as they arrived, until they are applied (src/invoices/webhook-inbox.ts).
 * The route answers 200 once its row is committed; applying it (webhook_events, the status, the outbox) follows.
 * A row stays only until applied, so the table holds the backlog, not the history.
 */
export const webhookInbox = pgTable(
  'webhook_inbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    rawPayload: text('raw_payload').notNull(),
    /** The request's id (X-Request-Id), so the lines logged while applying it name the request it came in. */
    requestId: text('request_id'),
    receivedAt: tz('received_at').notNull().defaultNow(),
    /** Taken by a process until then (database time); null = waiting. */
    leaseUntil: tz('lease_until'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    /** Given up after too many failed attempts: kept for a human, never taken again. */
    failedAt: tz('failed_at'),
  },
  (t) => [index('webhook_inbox_waiting_idx').on(t.id).where(sql`failed_at is null`)],
);

/**
 * Signed webhook deliveries that repeated an event already in `webhook_events` (same dedupe key): they changed nothing
 * and left no row there, so this is how the dashboard shows that SMARTy Pay delivered it again (outcome
 * `duplicate`). One row per repeated event, counted, so replaying a captured webhook a million times adds no rows; a
 * first delivery writes nothing here.
 */
export const webhookDuplicates = pgTable(
  'webhook_duplicates',
  {
    dedupeKey: text('dedupe_key').primaryKey(),
    smartyPayInvoiceId: text('smartypay_invoice_id').notNull(),
    status: text('status').notNull(),
    /** How many times it was delivered again after the first. */
    repeats: integer('repeats').notNull().default(1),
    firstReceivedAt: tz('first_received_at').notNull().defaultNow(),
    lastReceivedAt: tz('last_received_at').notNull().defaultNow(),
  },
  (t) => [
    // An invoice's deliveries (the dashboard's detail view).
    index('webhook_duplicates_invoice_idx').on(t.smartyPayInvoiceId),
    // Retention, as webhook_events; and the time of the last signed webhook.
    index('webhook_duplicates_received_idx').on(t.lastReceivedAt),
  ],
);

export const outbox = pgTable(
  'outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** One notification of a kind per invoice: the unique key makes enqueueing idempotent. */
    dedupeKey: text('dedupe_key').notNull(),
    kind: text('kind', { enum: NOTIFICATION_KINDS }).notNull(),
    invoiceId: bigint('invoice_id', { mode: 'number' }).references(() => invoices.id),
    chatId: bigint('chat_id', { mode: 'number' }).notNull(),
    /** For a reply: the message replied to. For an edit: the message edited (null = the invoice card). */
    targetMessageId: integer('target_message_id'),
    payload: jsonb('payload').$type<NotificationPayload>().notNull(),
    status: text('status', { enum: OUTBOX_STATUSES }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: tz('next_attempt_at').notNull().defaultNow(),
    /** While a worker holds the row; after it passes, another worker may take the row again. */
    leaseUntil: tz('lease_until'),
    lastError: text('last_error'),
    createdAt: tz('created_at').notNull().defaultNow(),
    sentAt: tz('sent_at'),
  },
  (t) => [
    uniqueIndex('outbox_dedupe_key').on(t.dedupeKey),
    index('outbox_invoice_idx').on(t.invoiceId),
    // Claims walk these in due order and stop after a batch: their cost follows the batch, not the backlog.
    index('outbox_pending_messages_idx')
      .on(t.nextAttemptAt, t.id)
      .where(sql`status = 'pending' and not starts_with(kind, 'card_')`),
    index('outbox_pending_edits_idx')
      .on(t.nextAttemptAt, t.id)
      .where(sql`status = 'pending' and starts_with(kind, 'card_')`),
    index('outbox_leases_idx').on(t.leaseUntil).where(sql`status = 'sending'`),
    // Retention deletes finished rows (never pending or sending ones) older than DATA_RETENTION_DAYS.
    index('outbox_finished_idx').on(t.createdAt).where(sql`status in ('sent', 'skipped', 'failed')`),
    // The backlog and failure reports (outbox-monitor.ts, /metrics) read only these rows, never the sent ones.
    index('outbox_backlog_idx').on(t.createdAt).where(sql`status in ('pending', 'sending')`),
    index('outbox_failed_idx').on(t.createdAt).where(sql`status = 'failed'`),
  ],
);

/**
 * The shop's unique codes (/addkeys): each sale hands out exactly one, never the same twice. Free while `invoice_id`
 * is null; reserved for an invoice when it is made (issue.ts, `FOR UPDATE SKIP LOCKED`), back to free when that
 * invoice expires unpaid, sold (`sold_at`) when it is paid (transition.ts). A payment after expiry takes a free one
 * if any is left; otherwise the buyer and the merchant are told the merchant will sort it out.
 */
export const productKeys = pgTable(
  'product_keys',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    productId: bigint('product_id', { mode: 'number' })
      .notNull()
      .references(() => products.id),
    key: text('key').notNull(),
    invoiceId: bigint('invoice_id', { mode: 'number' }).references(() => invoices.id),
    soldAt: tz('sold_at'),
    createdAt: tz('created_at').notNull().defaultNow(),
    /**
     * Held for a buyer's invoice while SMARTy Pay is asked to create it: the (chat, message) placeholder
     * (`unconfirmed:<chat>:<message>`) the invoice will be made for, so a second buyer gets "sold out" before any
     * SMARTy Pay call (src/products/key-holds.ts). Cleared when the invoice row takes the key (`invoice_id`), or
     * released when the create fails for sure; a hold left by a crash lapses at `held_until`.
     */
    heldFor: text('held_for'),
    heldUntil: tz('held_until'),
  },
  (t) => [
    // The same key added twice is one key.
    uniqueIndex('product_keys_product_key').on(t.productId, t.key),
    // A reservation takes the oldest free key.
    index('product_keys_free_idx').on(t.productId, t.id).where(sql`invoice_id is null`),
    index('product_keys_invoice_idx').on(t.invoiceId).where(sql`invoice_id is not null`),
    // One hold per (chat, message): the same /start handled twice holds one key.
    uniqueIndex('product_keys_held_for').on(t.heldFor).where(sql`held_for is not null`),
    // The reconciler's sweep reads the reserved keys (not the sold ones, which only grow).
    index('product_keys_reserved_idx').on(t.invoiceId).where(sql`invoice_id is not null and sold_at is null`),
  ],
);

/**
 * Paid access, one row per (product, user, chat): a payment creates or extends it from its current end (periods
 * stack), the buyer's join request is approved only while it is `active` and unexpired, and once `ends_at` plus
 * ACCESS_GRACE_MINUTES has passed the reconciler claims it (`removing`, SKIP LOCKED) and removes the member once.
 */
export const accessGrants = pgTable(
  'access_grants',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    productId: bigint('product_id', { mode: 'number' })
      .notNull()
      .references(() => products.id),
    userId: bigint('user_id', { mode: 'number' }).notNull(),
    chatId: bigint('chat_id', { mode: 'number' }).notNull(),
    /** Null = for life. */
    endsAt: tz('ends_at'),
    state: text('state', { enum: ACCESS_GRANT_STATES }).notNull().default('active'),
    /** The buyer's personal join-request link (createChatInviteLink), revoked once they are approved. */
    inviteLink: text('invite_link'),
    inviteLinkRevokedAt: tz('invite_link_revoked_at'),
    joinedAt: tz('joined_at'),
    /** The renewal invoices sent before the end, as the `ends_at` they were for (a renewal moves it: new round). */
    remindedForEndsAt: tz('reminded_for_ends_at'),
    remindersSent: integer('reminders_sent').notNull().default(0),
    /** Removal bookkeeping: a claim's lease, attempts, the last Telegram refusal, when it was done. */
    removalLeaseUntil: tz('removal_lease_until'),
    removalAttempts: integer('removal_attempts').notNull().default(0),
    removalError: text('removal_error'),
    removedAt: tz('removed_at'),
    createdAt: tz('created_at').notNull().defaultNow(),
    updatedAt: tz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('access_grants_product_user_chat').on(t.productId, t.userId, t.chatId),
    // The join-request check: this user's grants for this chat.
    index('access_grants_chat_user_idx').on(t.chatId, t.userId),
    // The lapse sweep: active grants by end.
    index('access_grants_lapse_idx').on(t.endsAt).where(sql`state in ('active', 'removing')`),
  ],
);

/** Which paid invoice extended which grant: a payment extends access once however often its job runs. */
export const accessExtensions = pgTable('access_extensions', {
  invoiceId: bigint('invoice_id', { mode: 'number' })
    .primaryKey()
    .references(() => invoices.id),
  grantId: bigint('grant_id', { mode: 'number' })
    .notNull()
    .references(() => accessGrants.id),
  /** The grant's end before and after this payment (null = for life). */
  previousEndsAt: tz('previous_ends_at'),
  endsAt: tz('ends_at'),
  createdAt: tz('created_at').notNull().defaultNow(),
});

export type AccessGrantRow = typeof accessGrants.$inferSelect;
export type InvoiceRow = typeof invoices.$inferSelect;
export type ProductRow = typeof products.$inferSelect;
/** An outbox row whose payload is typed by its kind (claims.ts reads them; the transition and reminders write them). */
export type OutboxRow = Omit<typeof outbox.$inferSelect, 'kind' | 'payload'> & OutboxNotification;

/**
 * The Telegram send budget shared by every process on this database: one row, a token bucket
 * refilled at the configured rate. Claiming sends takes tokens under a row lock.
 */
export const sendBudget = pgTable('send_budget', {
  id: integer('id').primaryKey(),
  tokens: doublePrecision('tokens').notNull(),
  refilledAt: tz('refilled_at').notNull(),
});

/** Per-chat pacing: nothing more goes to a chat before `nextAllowedAt`. */
export const chatThrottle = pgTable('chat_throttle', {
  chatId: bigint('chat_id', { mode: 'number' }).primaryKey(),
  nextAllowedAt: tz('next_allowed_at').notNull(),
});

/**
 * Updates Telegram pushed to the webhook, by update_id: Telegram redelivers an update it thinks was
 * not acknowledged, possibly to another replica; the first insert wins and the rest are dropped.
 */
export const telegramUpdates = pgTable(
  'telegram_updates',
  {
    updateId: bigint('update_id', { mode: 'number' }).primaryKey(),
    receivedAt: tz('received_at').notNull().defaultNow(),
  },
  // Retention deletes updates older than a week: Telegram redelivers one for about a day at most.
  (t) => [index('telegram_updates_received_idx').on(t.receivedAt)],
);

/** Per-chat preferences set with commands (/lang). */
export const chatSettings = pgTable('chat_settings', {
  chatId: bigint('chat_id', { mode: 'number' }).primaryKey(),
  /** 'en' | 'ru'; overrides the users' Telegram language in this chat. */
  locale: text('locale'),
  updatedAt: tz('updated_at').notNull().defaultNow(),
});

/**
 * Inline mode: what `@bot 10 bUSDT coffee` asked for. `id` is random (it is the inline result id and goes into the
 * Pay button's callback data, where anyone in the chat can read it) and never derived from the request. No SMARTy
 * Pay invoice exists until the result is chosen or its button first tapped; then the draft becomes an invoice.
 */
export const inlineDrafts = pgTable(
  'inline_drafts',
  {
    id: text('id').primaryKey(),
    userId: bigint('user_id', { mode: 'number' }).notNull(),
    /**
     * SHA-256 of user + normalised request while no message carries the draft, so retyping a query reuses the
     * row; null once it is posted (inline_offers), so the next typing of that query gets a fresh id.
     */
    requestKey: text('request_key'),
    amount: numeric('amount', { precision: 20, scale: 8 }).notNull(),
    token: text('token').notNull(),
    description: text('description'),
    locale: text('locale').notNull().default('en'),
    createdAt: tz('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('inline_drafts_request_key').on(t.requestKey)],
);

/**
 * Which draft a posted inline message carries: bound when Telegram reports the chosen result (trustworthy) or, with
 * inline feedback off, on the first tap. A tap naming any other draft is refused. Goes with its draft when pruned.
 */
export const inlineOffers = pgTable(
  'inline_offers',
  {
    inlineMessageId: text('inline_message_id').primaryKey(),
    draftId: text('draft_id')
      .notNull()
      .references(() => inlineDrafts.id, { onDelete: 'cascade' }),
    boundAt: tz('bound_at').notNull().defaultNow(),
  },
  (t) => [index('inline_offers_draft_idx').on(t.draftId)],
);

/**
 * Rate limits shared by every process on the database: how many times `key` ('user:42', 'chat:-100…' for an
 * anonymous admin, 'global', 'check:42') was counted in the minute starting at `windowStart`. One conditional
 * upsert takes a unit (src/invoices/quota.ts); windows older than a few minutes are deleted.
 */
export const rateQuota = pgTable(
  'rate_quota',
  {
    key: text('key').notNull(),
    windowStart: tz('window_start').notNull(),
    count: integer('count').notNull(),
  },
  (t) => [primaryKey({ columns: [t.key, t.windowStart] })],
);
