import type { Logger } from 'pino';
import type { Database, Transaction } from '../db/client.js';
import { fixedStatement, rowOf } from '../db/fixed-statement.js';
import { type InvoiceRow, invoices } from '../db/schema.js';
import type { InvoiceStatus } from '../db/vocabulary.js';
import { normaliseDecimal } from '../decimal.js';
import type { Metrics } from '../metrics.js';
import { type SmartyPayClient, SmartyPayError } from '../payments/client.js';
import { isSmartyPayStatus } from '../payments/statuses.js';
import type { OutboxWaker } from './outbox-waker.js';
import type { PayRequest } from './pay-command.js';
import { firstCheckAt } from './schedule.js';

// Making an invoice, for /pay, Issue again, "Pay the remaining" and inline mode alike: SMARTy Pay first (if it
// refuses, nothing is written and the user is told), then the row. The row's unique keys ((chat, /pay message),
// the inline message, the original of a remainder, the expired invoice issued again) make a repeated or concurrent request end with one invoice.
// A create that timed out may still have happened at SMARTy Pay: an Unconfirmed row keeps its place, so a later
// webhook naming our metadata is recognised (transition.ts adopts it) and a repeated request makes no second one.
// The card is not sent here: the row that says "send it" goes into the outbox in the invoice's own transaction,
// so a 429 or a 5xx from Telegram is retried like any notification and a live invoice always gets its card.

export interface NewInvoice {
  /** The chat it lives in; null for an inline invoice (Telegram never says where it was posted). */
  chatId: number | null;
  /** Where its messages go: the chat of /pay, or an inline invoice's issuer (their private chat). */
  notifyChatId: number;
  /** The /pay message it answers; null for an inline invoice, a remainder, an invoice issued again. */
  payMessageId: number | null;
  inlineMessageId: string | null;
  issuedByUserId: number | undefined;
  request: PayRequest;
  locale: string;
  /** ASCII-only facts SMARTy Pay keeps with the invoice (chat id, message id). */
  metadata: Record<string, string | number>;
  /** Schedule the "expires soon" reminder (REMINDER_MINUTES). */
  remind: boolean;
  /** "Pay the remaining": the UnderPaid invoice this one completes. */
  remainderOfInvoiceId?: number | undefined;
  /** "Issue again": the expired invoice this one replaces. */
  reissueOfInvoiceId?: number | undefined;
  /**
   * The shop: the product sold (then `issuedByUserId` is the buyer), and the buyer's names for the merchant.
   * `keys`: a keys product's key, held before this call (src/products/key-holds.ts); the invoice takes it.
   */
  product?: { id: number; buyerName: string; buyerUsername: string | undefined; keys?: KeyReservation } | undefined;
  /**
   * The message the card replies to: the /pay message, the expired card (Issue again), the original's card
   * (a remainder). Ignored for an inline invoice, whose card is the inline message itself, edited.
   */
  cardReplyTo: number | null;
}

/** SMARTy Pay did not answer the create clearly; an Unconfirmed row was kept in case it made the invoice. */
export class UnconfirmedInvoiceError extends Error {
  constructor(
    readonly invoiceId: number | undefined,
    override readonly cause: SmartyPayError,
  ) {
    super(`SMARTy Pay did not confirm the create (${cause.message}); kept as Unconfirmed`);
    this.name = 'UnconfirmedInvoiceError';
  }
}

/**
 * The shop: a key held for the invoice before SMARTy Pay was asked (src/products/key-holds.ts). `attach` runs in the
 * transaction that writes the invoice row (an Unconfirmed one too), so a made invoice always has its key.
 */
export interface KeyReservation {
  attach(tx: Transaction, invoiceId: number): Promise<void>;
}

/** The placeholder SMARTy Pay id of an Unconfirmed invoice: the (chat, message) its metadata names. */
export function unconfirmedSmartyPayId(chatId: number, messageId: number): string {
  return `unconfirmed:${chatId}:${messageId}`;
}

/** A timeout, a dropped connection or a 5xx may come after SMARTy Pay made the invoice; a 4xx is a clear no. */
function mayHaveCreated(error: unknown): error is SmartyPayError {
  if (!(error instanceof SmartyPayError)) return false;
  return error.kind === 'timeout' || error.kind === 'network' || (error.kind === 'http' && (error.status ?? 0) >= 500);
}

export type IssueResult = { kind: 'created' | 'duplicate'; invoice: InvoiceRow };

export interface InvoiceIssuerDeps {
  db: Database;
  payments: SmartyPayClient;
  logger: Logger;
  ttlMinutes: number;
  /** Remind the chat this long before expiry; 0 = never. */
  reminderMinutes?: number | undefined;
  now: () => Date;
  checkoutLink(smartyPayId: string, description: string | undefined, locale?: string): string;
  metrics?: Metrics | undefined;
  /** Woken once an invoice and its card row are committed. */
  outbox: OutboxWaker;
}

export function withNormalAmount(row: InvoiceRow): InvoiceRow {
  return { ...row, amount: normaliseDecimal(row.amount) };
}

/**
 * The invoice and its card's outbox row (`new_card`, or `card_inline` for an inline message, keyed `<id>:<kind>`,
 * due at once) in ONE fixed statement, prepared once per connection: the /pay hot path, where drizzle's builder and a
 * transaction of three statements kept the event loop from the outbox's claims during a burst (bench p3). Whichever
 * unique key a concurrent request hit first, its row is the invoice (no row returned, no card queued).
 */
const INSERT_WITH_CARD = fixedStatement(
  `with row as (
    insert into invoices (smartypay_id, chat_id, notify_chat_id, pay_message_id, inline_message_id, issued_by_user_id,
      amount, token, description, locale, status, checkout_url, created_at, expires_at, next_check_at, remind_at,
      updated_at, remainder_of_invoice_id, reissue_of_invoice_id, product_id, buyer_name, buyer_username)
    values ($smartyPayId, $chatId, $notifyChatId, $payMessageId, $inlineMessageId, $issuedByUserId,
      $amount, $token, $description, $locale, $status, $checkoutUrl, $createdAt, $expiresAt, $nextCheckAt, $remindAt,
      $createdAt, $remainderOfInvoiceId, $reissueOfInvoiceId, $productId, $buyerName, $buyerUsername)
    on conflict do nothing
    returning *
  ), card as (
    insert into outbox (dedupe_key, kind, invoice_id, chat_id, target_message_id, payload, next_attempt_at, created_at)
    select row.id || ':' || $cardKind::text, $cardKind::text, row.id, row.notify_chat_id, $cardReplyTo::integer,
      jsonb_build_object('status', row.status), row.created_at, row.created_at
    from row
    on conflict do nothing
  )
  select * from row`,
  [
    'smartyPayId',
    'chatId',
    'notifyChatId',
    'payMessageId',
    'inlineMessageId',
    'issuedByUserId',
    'amount',
    'token',
    'description',
    'locale',
    'status',
    'checkoutUrl',
    'createdAt',
    'expiresAt',
    'nextCheckAt',
    'remindAt',
    'remainderOfInvoiceId',
    'reissueOfInvoiceId',
    'productId',
    'buyerName',
    'buyerUsername',
    'cardKind',
    'cardReplyTo',
  ],
);

/** An invoice row's columns from the request: what both a made invoice and an Unconfirmed one store. */
function invoiceColumns(
  input: NewInvoice,
  at: Date,
  made: {
    smartyPayId: string;
    status: InvoiceStatus;
    checkoutUrl: string;
    expiresAt: Date;
    nextCheckAt: Date | null;
    remindAt: Date | null;
  },
) {
  const { product } = input;
  return {
    ...made,
    chatId: input.chatId ?? null,
    notifyChatId: input.notifyChatId,
    payMessageId: input.payMessageId ?? null,
    inlineMessageId: input.inlineMessageId ?? null,
    issuedByUserId: input.issuedByUserId ?? null,
    amount: input.request.amount,
    token: input.request.token,
    description: input.request.description ?? null,
    locale: input.locale,
    createdAt: at,
    updatedAt: at,
    remainderOfInvoiceId: input.remainderOfInvoiceId ?? null,
    reissueOfInvoiceId: input.reissueOfInvoiceId ?? null,
    productId: product?.id ?? null,
    buyerName: product?.buyerName ?? null,
    buyerUsername: product?.buyerUsername ?? null,
  };
}

/**
 * Writes the invoice row with `write`; a product's held key is attached to it in the same transaction, so a row that
 * exists always has its key. Without a key the one statement is its own transaction.
 */
async function writeWithKey<T extends { id: number }>(
  db: Database,
  keys: KeyReservation | undefined,
  write: (db: Database | Transaction) => Promise<T | undefined>,
): Promise<T | undefined> {
  if (!keys) return write(db);
  return db.transaction(async (tx) => {
    const row = await write(tx);
    if (row) await keys.attach(tx, row.id);
    return row;
  });
}

/** expiresAt − minutes when that is still ahead; otherwise (or when off) no reminder. */
function reminderAt(expiresAt: Date, minutes: number, at: Date): Date | null {
  const remindAt = new Date(expiresAt.getTime() - minutes * 60_000);
  return minutes > 0 && remindAt > at ? remindAt : null;
}

export function createInvoiceIssuer(deps: InvoiceIssuerDeps) {
  const { db, now } = deps;

  /**
   * The row of a create SMARTy Pay may have carried out: no card, no link, no re-checks (there is no id to ask
   * about) until a webhook adopts it. Only an invoice whose metadata names a (chat, message) can be recognised.
   * Returns its id (undefined when a row already held the keys), or null when none can be kept.
   */
  async function keepUnconfirmed(input: NewInvoice, at: Date): Promise<number | undefined | null> {
    const { chatId, messageId } = input.metadata;
    if (typeof chatId !== 'number' || typeof messageId !== 'number') return null;
    const columns = invoiceColumns(input, at, {
      smartyPayId: unconfirmedSmartyPayId(chatId, messageId),
      status: 'Unconfirmed',
      checkoutUrl: '',
      expiresAt: new Date(at.getTime() + deps.ttlMinutes * 60_000),
      nextCheckAt: null,
      remindAt: null,
    });
    // The create may have happened: the key held for it stays its own until a webhook names it or it expires.
    const kept = await writeWithKey(db, input.product?.keys, async (tx) => {
      const [row] = await tx.insert(invoices).values(columns).onConflictDoNothing().returning({ id: invoices.id });
      return row;
    });
    deps.logger.warn(
      { invoiceId: kept?.id, chatId, messageId },
      'SMARTy Pay did not confirm the create; kept as Unconfirmed until a webhook names it',
    );
    return kept?.id;
  }

  /** Creates the invoice unless `existing()` already finds it; `existing()` also names a concurrent winner. */
  return async function issue(
    input: NewInvoice,
    existing: () => Promise<InvoiceRow | undefined>,
  ): Promise<IssueResult> {
    const found = await existing();
    if (found) return { kind: 'duplicate', invoice: withNormalAmount(found) };
    const { request, locale } = input;
    const at = now();
    let remote: Awaited<ReturnType<SmartyPayClient['createInvoice']>>;
    try {
      remote = await deps.payments.createInvoice({
        amount: request.amount,
        token: request.token,
        expiresAt: new Date(at.getTime() + deps.ttlMinutes * 60_000),
        metadata: input.metadata,
      });
    } catch (error) {
      if (!mayHaveCreated(error)) throw error;
      const kept = await keepUnconfirmed(input, at);
      throw kept === null ? error : new UnconfirmedInvoiceError(kept, error);
    }
    const expiresAt = remote.expiresAt ?? new Date(at.getTime() + deps.ttlMinutes * 60_000);
    const inline = input.inlineMessageId != null;
    const columns = invoiceColumns(input, at, {
      smartyPayId: remote.id,
      status: isSmartyPayStatus(remote.status) ? remote.status : 'Created',
      checkoutUrl: deps.checkoutLink(remote.id, request.description, locale),
      expiresAt,
      nextCheckAt: firstCheckAt(at, expiresAt),
      remindAt: input.remind ? reminderAt(expiresAt, deps.reminderMinutes ?? 0, at) : null,
    });
    const values = {
      ...columns,
      createdAt: at.toISOString(),
      expiresAt: expiresAt.toISOString(),
      nextCheckAt: columns.nextCheckAt?.toISOString() ?? null,
      remindAt: columns.remindAt?.toISOString() ?? null,
      cardKind: inline ? 'card_inline' : 'new_card',
      cardReplyTo: inline ? null : (input.cardReplyTo ?? null),
    };
    const inserted = await writeWithKey(db, input.product?.keys, async (tx) => {
      const [raw] = await INSERT_WITH_CARD.run(tx, values);
      return raw && rowOf(invoices, raw);
    });
    if (inserted) {
      // Committed: the card row is visible to the worker now.
      deps.outbox.wake();
      deps.metrics?.invoicesCreated.inc({ token: inserted.token });
      return { kind: 'created', invoice: withNormalAmount(inserted) };
    }
    deps.logger.warn(
      {
        smartyPayId: remote.id,
        chatId: input.chatId,
        notifyChatId: input.notifyChatId,
        payMessageId: input.payMessageId,
        inlineMessageId: input.inlineMessageId,
      },
      'invoice requested twice at once; the extra remote invoice is left to expire',
    );
    const winner = await existing();
    if (!winner) throw new Error('invoice insert conflicted but no row was found');
    return { kind: 'duplicate', invoice: withNormalAmount(winner) };
  };
}
