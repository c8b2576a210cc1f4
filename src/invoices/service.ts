import { and, eq, gt, inArray, or, type SQL, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Database, Query } from '../db/client.js';
import { fixedStatement, rowOf } from '../db/fixed-statement.js';
import { type InvoiceRow, invoices, webhookDuplicates, webhookEvents } from '../db/schema.js';
import type { InvoiceStatus } from '../db/vocabulary.js';
import type { Metrics } from '../metrics.js';
import type { RemoteInvoice, SmartyPayClient } from '../payments/client.js';
import { parseMoney } from '../payments/money.js';
import { isSmartyPayStatus } from '../payments/statuses.js';
import { readInvoiceMetadata, type WebhookPayload } from '../payments/webhook-payload.js';
import { createInlineIssuer, type IssueInlineInvoice } from './inline-issue.js';
import { createInvoiceIssuer, type IssueResult, type KeyReservation, unconfirmedSmartyPayId } from './issue.js';
import { type OutboxWaker, transitionAndWake } from './outbox-waker.js';

export type { IssueResult };

import type { PayRequest } from './pay-command.js';
import { isSettledStatus, OPEN_STATUSES } from './state-machine.js';
import type { TransitionOutcome, TransitionResult } from './transition.js';

export interface InvoiceServiceDeps {
  db: Database;
  /** Raw prepared statements for the hot transition path. */
  query: Query;
  payments: SmartyPayClient;
  logger: Logger;
  checkoutUrl: string;
  ttlMinutes: number;
  /** Remind the chat this long before expiry; 0 = never. */
  reminderMinutes?: number | undefined;
  now?: () => Date;
  metrics?: Metrics;
  /** Woken after every commit that queued notifications (a new invoice's card, a status change). */
  outbox: OutboxWaker;
}

export interface IssueInvoice {
  chatId: number;
  payMessageId: number;
  issuedByUserId: number | undefined;
  request: PayRequest;
  /** The language of chat texts about this invoice (unless the chat sets one with /lang). */
  locale?: string | undefined;
}

export interface IssueAgain {
  /** The expired invoice whose "Issue again" was tapped. */
  expired: InvoiceRow;
  /** Its card (the new card replies to it). */
  cardMessageId: number;
  issuedByUserId: number;
  request: PayRequest;
  locale: string;
}

/** The shop: a buyer opened a product's link (`/start <code>` in their private chat). */
export interface IssueForProduct {
  product: { id: number; amount: string; token: string; title: string };
  buyer: { userId: number; name: string; username: string | undefined };
  /** The buyer's private chat and their /start message (the card replies to it, as to /pay). */
  chatId: number;
  startMessageId: number;
  locale: string;
  /** A keys product: the key held for this (chat, message) before SMARTy Pay is asked; the invoice takes it. */
  keys?: KeyReservation | undefined;
}

/**
 * Paid access: the renewal invoice the bot issues on its own before a grant ends, bound to the buyer, in their
 * private chat, with no /start to reply to. `requestId` (the outbox row sending the reminder) stands in for that
 * message in SMARTy Pay's metadata, negated so it is never a real message id: a create that timed out is recognised.
 */
export interface IssueRenewal {
  product: IssueForProduct['product'];
  buyer: IssueForProduct['buyer'];
  chatId: number;
  locale: string;
  requestId: number;
}

/** `ignored`: a signed webhook with a status SMARTy Pay does not define; recorded, nothing changed. */
export type WebhookOutcome = TransitionOutcome | 'ignored';

export interface InvoiceService {
  issue(input: IssueInvoice): Promise<IssueResult>;
  applyWebhook(payload: WebhookPayload, rawBody: string): Promise<{ outcome: WebhookOutcome; invoiceId?: number }>;
  /** Applies what a status re-check at SMARTy Pay found; same rules as a webhook. */
  applyRemoteState(invoiceId: number, remote: RemoteInvoice): Promise<boolean>;
  /** Marks an unpaid invoice Expired (SMARTy Pay sends no webhook for expiry). */
  expire(invoiceId: number): Promise<boolean>;
  /** SMARTy Pay's checkout page for an invoice, in the chat's language (`lang`). */
  checkoutLink(smartyPayId: string, description: string | undefined, locale?: string): string;
  /**
   * "Pay the remaining": the invoice for `amount` (what an UnderPaid `original` lacks), in its chat, token and
   * terms, linked to it; at most one per original however often it is asked for.
   */
  issueRemainder(original: InvoiceRow, amount: string, locale: string): Promise<IssueResult>;
  /** "Issue again": a fresh invoice with the expired one's terms, linked to it; one per expired invoice. */
  issueAgain(input: IssueAgain): Promise<IssueResult>;
  /**
   * The shop: the buyer's invoice for a product, through the same path as /pay. While the buyer has an open one
   * for it, that one is the result (`duplicate`, no SMARTy Pay call).
   */
  issueForProduct(input: IssueForProduct): Promise<IssueResult>;
  /**
   * Paid access's renewal invoice for the buyer: their open invoice for the product while there is one (`duplicate`,
   * no SMARTy Pay call), or while a create for it is Unconfirmed that one (no link yet: the caller waits); else a new
   * one through the same path as the shop's.
   */
  issueRenewal(input: IssueRenewal): Promise<IssueResult>;
  /** The buyer's open invoice for a product, if any; one past its expiry is expired here first and not returned. */
  findOpenForBuyer(productId: number, buyerUserId: number): Promise<InvoiceRow | undefined>;
  /** Inline mode: the invoice of an inline message, made once however often it is asked for. */
  issueInline(input: IssueInlineInvoice): Promise<IssueResult>;
  findByInlineMessage(inlineMessageId: string): Promise<InvoiceRow | undefined>;
  /**
   * Invoice `id` if `chatId` is told about it (its notification chat): a chat never sees another chat's invoices;
   * an inline invoice is its issuer's.
   */
  findInChat(chatId: number, id: number): Promise<InvoiceRow | undefined>;
  /** The invoice a reply points at: its card or its /pay message, in the chat the invoice lives in. */
  findByMessage(chatId: number, messageId: number): Promise<InvoiceRow | undefined>;
}

const BY_PAY_MESSAGE = fixedStatement(
  'select * from invoices where chat_id = $chatId and pay_message_id = $payMessageId limit 1',
  ['chatId', 'payMessageId'],
);

export function createInvoiceService(deps: InvoiceServiceDeps): InvoiceService {
  const { db, logger } = deps;
  const now = deps.now ?? (() => new Date());

  /**
   * A repeated delivery changes nothing and leaves no event row: it is noted for the dashboard (webhook_duplicates).
   * The webhook was handled either way, so a failure here is logged and the answer stays 200.
   */
  async function recordDuplicate(dedupeKey: string, smartyPayInvoiceId: string, status: string): Promise<void> {
    try {
      const at = now();
      await db
        .insert(webhookDuplicates)
        .values({ dedupeKey, smartyPayInvoiceId, status, firstReceivedAt: at, lastReceivedAt: at })
        .onConflictDoUpdate({
          target: webhookDuplicates.dedupeKey,
          set: { repeats: sql`${webhookDuplicates.repeats} + 1`, lastReceivedAt: at },
        });
    } catch (error) {
      logger.warn({ err: error, smartyPayInvoiceId }, 'could not note a repeated webhook delivery');
    }
  }

  /** Counts a status change that was applied (not a stale, repeated or unknown one). */
  function countApplied(status: InvoiceStatus, result: TransitionResult): void {
    if (result.outcome !== 'applied' || !deps.metrics) return;
    const labels = { token: result.token ?? 'unknown' };
    if (status === 'Expired') deps.metrics.invoicesExpired.inc(labels);
    else if (isSettledStatus(status)) deps.metrics.invoicesPaid.inc(labels);
  }

  function checkoutLink(smartyPayId: string, description: string | undefined, locale?: string): string {
    const url = new URL(deps.checkoutUrl);
    url.searchParams.set('invoice-id', smartyPayId);
    if (description) url.searchParams.set('name', description);
    if (locale) url.searchParams.set('lang', locale);
    return url.toString();
  }

  async function first(where: SQL | undefined): Promise<InvoiceRow | undefined> {
    const [row] = await db.select().from(invoices).where(where).limit(1);
    return row;
  }

  /** Asked before every /pay (is this message's invoice made already?): a fixed statement on the hot path. */
  const findByPayMessage = async (chatId: number, payMessageId: number): Promise<InvoiceRow | undefined> => {
    const [raw] = await BY_PAY_MESSAGE.run(db, { chatId, payMessageId });
    return raw && rowOf(invoices, raw);
  };

  const issueInvoice = createInvoiceIssuer({ ...deps, now, checkoutLink });

  /** An adopted Unconfirmed invoice gets its checkout link now that SMARTy Pay's id is known. */
  async function linkAdopted(invoiceId: number, smartyPayId: string): Promise<void> {
    const [row] = await db.select().from(invoices).where(eq(invoices.id, invoiceId)).limit(1);
    if (!row) return;
    const checkoutUrl = checkoutLink(smartyPayId, row.description ?? undefined, row.locale);
    await db.update(invoices).set({ checkoutUrl }).where(eq(invoices.id, invoiceId));
    logger.info({ invoiceId, smartyPayId }, 'a webhook named an Unconfirmed invoice; adopted');
  }
  const inline = createInlineIssuer({ db, issue: issueInvoice });

  async function findOpenForBuyer(productId: number, buyerUserId: number): Promise<InvoiceRow | undefined> {
    const open = await first(
      and(
        eq(invoices.productId, productId),
        eq(invoices.issuedByUserId, buyerUserId),
        or(
          inArray(invoices.status, [...OPEN_STATUSES]),
          // A partly paid one is theirs to finish ("Pay the remaining"), not a reason for a second invoice and key;
          // past its expiry it stays UnderPaid (its key went back to stock) and the buyer starts afresh.
          and(eq(invoices.status, 'UnderPaid'), gt(invoices.expiresAt, now())),
        ),
      ),
    );
    if (!open || open.expiresAt > now()) return open;
    // Past its expiry but not yet expired by the reconciler: it can no longer be paid, so the buyer gets a fresh
    // one. A payment SMARTy Pay reports for it later is still applied (Expired → Paid).
    await expire(open.id);
    return undefined;
  }

  async function expire(invoiceId: number): Promise<boolean> {
    const result = await transitionAndWake(deps.query, deps.outbox, {
      invoice: { id: invoiceId },
      cause: { kind: 'expire' },
      now: now(),
    });
    countApplied('Expired', result);
    return result.outcome === 'applied';
  }

  return {
    checkoutLink,
    issueInline: inline.issue,
    findByInlineMessage: inline.find,

    findInChat: (chatId, id) => first(and(eq(invoices.notifyChatId, chatId), eq(invoices.id, id))),

    // Message ids are per chat, and no two invoices share a /pay message or a card: at most one matches.
    findByMessage: (chatId, messageId) =>
      first(
        and(
          eq(invoices.chatId, chatId),
          or(eq(invoices.cardMessageId, messageId), eq(invoices.payMessageId, messageId)),
        ),
      ),

    async applyRemoteState(invoiceId, remote) {
      if (!isSmartyPayStatus(remote.status)) {
        logger.warn(
          { invoiceId, status: remote.reportedStatus },
          're-check reported a status SMARTy Pay does not define',
        );
        return false;
      }
      const result = await transitionAndWake(deps.query, deps.outbox, {
        invoice: { id: invoiceId },
        cause: { kind: 'remote', status: remote.status, paid: remote.paidAmount, paidAt: remote.paidAt },
        now: now(),
      });
      countApplied(remote.status, result);
      return result.outcome === 'applied';
    },

    expire,
    findOpenForBuyer,

    issueForProduct({ product, buyer, chatId, startMessageId, locale, keys }) {
      return issueInvoice(
        {
          chatId,
          notifyChatId: chatId,
          payMessageId: startMessageId,
          inlineMessageId: null,
          issuedByUserId: buyer.userId,
          request: { amount: product.amount, token: product.token, description: product.title },
          locale,
          // As /pay's: the (chat, message) an Unconfirmed create is recognised by.
          metadata: { chatId, messageId: startMessageId },
          remind: true,
          cardReplyTo: startMessageId,
          product: { id: product.id, buyerName: buyer.name, buyerUsername: buyer.username, keys },
        },
        async () =>
          (await findByPayMessage(chatId, startMessageId)) ?? (await findOpenForBuyer(product.id, buyer.userId)),
      );
    },

    issueRenewal({ product, buyer, chatId, locale, requestId }) {
      return issueInvoice(
        {
          chatId,
          notifyChatId: chatId,
          payMessageId: null,
          inlineMessageId: null,
          issuedByUserId: buyer.userId,
          request: { amount: product.amount, token: product.token, description: product.title },
          locale,
          metadata: { chatId, messageId: -requestId },
          remind: true,
          cardReplyTo: null,
          product: { id: product.id, buyerName: buyer.name, buyerUsername: buyer.username },
        },
        async () =>
          (await findOpenForBuyer(product.id, buyer.userId)) ??
          (await first(
            and(
              eq(invoices.productId, product.id),
              eq(invoices.issuedByUserId, buyer.userId),
              eq(invoices.status, 'Unconfirmed'),
              gt(invoices.expiresAt, now()),
            ),
          )),
      );
    },

    issue({ chatId, payMessageId, issuedByUserId, request, locale }) {
      return issueInvoice(
        {
          chatId,
          notifyChatId: chatId,
          payMessageId,
          inlineMessageId: null,
          issuedByUserId,
          request,
          locale: locale ?? 'en',
          metadata: { chatId, messageId: payMessageId },
          remind: true,
          cardReplyTo: payMessageId,
        },
        () => findByPayMessage(chatId, payMessageId),
      );
    },

    issueRemainder(original, amount, locale) {
      // Keyed for SMARTy Pay's metadata by the original's card (the message it is issued from); the row's
      // own key is remainder_of_invoice_id. It has no /pay message: its confirmation replies to the original's.
      const messageId = original.cardMessageId ?? original.payMessageId ?? 0;
      return issueInvoice(
        {
          chatId: original.chatId,
          notifyChatId: original.notifyChatId,
          payMessageId: null,
          inlineMessageId: null,
          issuedByUserId: original.issuedByUserId ?? undefined,
          request: { amount, token: original.token, description: original.description ?? undefined },
          locale,
          metadata: { chatId: original.notifyChatId, messageId },
          remind: true,
          remainderOfInvoiceId: original.id,
          // A product's sale paid in two parts: the remainder's payment delivers it.
          product:
            original.productId === null
              ? undefined
              : {
                  id: original.productId,
                  buyerName: original.buyerName ?? '',
                  buyerUsername: original.buyerUsername ?? undefined,
                },
          // Its card replies to the card it completes.
          cardReplyTo: original.cardMessageId,
        },
        () => first(eq(invoices.remainderOfInvoiceId, original.id)),
      );
    },

    issueAgain({ expired, cardMessageId, issuedByUserId, request, locale }) {
      // SMARTy Pay's metadata names the expired card (the message it is issued from), so an Unconfirmed create is
      // still recognised; the row's own key is reissue_of_invoice_id, so a double tap issues one invoice.
      return issueInvoice(
        {
          chatId: expired.chatId,
          notifyChatId: expired.notifyChatId,
          payMessageId: null,
          inlineMessageId: null,
          issuedByUserId,
          request,
          locale,
          metadata: { chatId: expired.notifyChatId, messageId: cardMessageId },
          remind: true,
          reissueOfInvoiceId: expired.id,
          cardReplyTo: cardMessageId,
        },
        () => first(eq(invoices.reissueOfInvoiceId, expired.id)),
      );
    },

    async applyWebhook(payload, rawBody) {
      const metadata = readInvoiceMetadata(payload.metadata);
      const event = {
        dedupeKey: payload.eventId ?? `${payload.invoiceId}:${payload.status}`,
        smartyPayInvoiceId: payload.invoiceId,
        rawPayload: rawBody,
        eventTs: parseDate(payload.eventTs),
        unconfirmedId:
          metadata.chatId !== undefined && metadata.messageId !== undefined
            ? unconfirmedSmartyPayId(metadata.chatId, metadata.messageId)
            : undefined,
      };
      if (!isSmartyPayStatus(payload.status)) {
        // Only SMARTy Pay's own statuses reach the state machine ("Cancelled" is ours alone). An unknown one
        // is kept for a human and answered 200: a 4xx would make SMARTy Pay redeliver it forever, and a status
        // it adds later must not stop the webhook.
        const stored = await db
          .insert(webhookEvents)
          .values({ ...event, status: payload.status, outcome: 'ignored', receivedAt: now() })
          .onConflictDoNothing()
          .returning({ id: webhookEvents.id });
        if (stored.length === 0) await recordDuplicate(event.dedupeKey, payload.invoiceId, payload.status);
        return { outcome: 'ignored' };
      }
      const result = await transitionAndWake(deps.query, deps.outbox, {
        invoice: { smartyPayId: payload.invoiceId },
        cause: {
          kind: 'remote',
          status: payload.status,
          paid: parseMoney(payload.paidAmount),
          paidAt: parseDate(payload.paidAt),
          event,
        },
        now: now(),
      });
      countApplied(payload.status, result);
      if (result.outcome === 'duplicate') await recordDuplicate(event.dedupeKey, payload.invoiceId, payload.status);
      if (result.adopted && result.invoiceId !== undefined) await linkAdopted(result.invoiceId, payload.invoiceId);
      if (result.chatId !== undefined && metadata.chatId !== undefined && metadata.chatId !== result.chatId) {
        // Stored state is authoritative (the chat may have been migrated to a supergroup).
        logger.warn(
          { invoiceId: result.invoiceId, metadataChatId: metadata.chatId, storedChatId: result.chatId },
          'webhook metadata chat id differs from the stored invoice',
        );
      }
      return { outcome: result.outcome, invoiceId: result.invoiceId };
    },
  };
}

function parseDate(value: string | null | undefined): Date | undefined {
  const date = value ? new Date(value) : undefined;
  return date && !Number.isNaN(date.getTime()) ? date : undefined;
}
