import { and, count, eq, gte } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Database, Query } from '../db/client.js';
import { type InvoiceRow, invoices } from '../db/schema.js';
import type { Metrics } from '../metrics.js';
import type { RemoteInvoice, SmartyPayClient } from '../payments/client.js';
import { parseMoney } from '../payments/money.js';
import { readInvoiceMetadata, type WebhookPayload } from '../payments/webhook-payload.js';
import { normaliseDecimal } from './amount.js';
import { createInlineIssuer, type InlineIssueResult, type IssueInlineInvoice } from './inline-issue.js';
import type { PayRequest } from './pay-command.js';
import { firstCheckAt } from './schedule.js';
import { isInvoiceStatus, isPaidStatus } from './status.js';
import { applyTransition, type TransitionOutcome, type TransitionResult } from './transition.js';

export interface InvoiceServiceDeps {
  db: Database;
  /** Raw prepared statements for the hot transition path. */
  query: Query;
  payments: SmartyPayClient;
  logger: Logger;
  checkoutUrl: string;
  ttlMinutes: number;
  /** Remind the chat this long before expiry; 0 = never. */
  reminderMinutes?: number;
  now?: () => Date;
  metrics?: Metrics;
}

export interface IssueInvoice {
  chatId: number;
  payMessageId: number;
  issuedByUserId: number | undefined;
  request: PayRequest;
  /** The language of chat texts about this invoice (unless the chat sets one with /lang). */
  locale?: string | undefined;
}

export type IssueResult = { kind: 'created'; invoice: InvoiceRow } | { kind: 'duplicate'; invoice: InvoiceRow };

export type WebhookOutcome = TransitionOutcome;

export interface InvoiceService {
  issue(input: IssueInvoice): Promise<IssueResult>;
  /** Records the bot's invoice card so later edits know which message to change. */
  attachCard(invoiceId: number, cardMessageId: number): Promise<void>;
  applyWebhook(payload: WebhookPayload, rawBody: string): Promise<{ outcome: WebhookOutcome; invoiceId?: number }>;
  /** Applies what a status re-check at SMARTy Pay found; same rules as a webhook. */
  applyRemoteState(invoiceId: number, remote: RemoteInvoice): Promise<boolean>;
  /** Marks an unpaid invoice Expired (SMARTy Pay sends no webhook for expiry). */
  expire(invoiceId: number): Promise<boolean>;
  /** SMARTy Pay's checkout page for an invoice, in the chat's language (`lang`). */
  checkoutLink(smartyPayId: string, description: string | undefined, locale?: string): string;
  /** Invoices a user created since `since` (the /pay rate limit). */
  countIssuedSince(userId: number, since: Date): Promise<number>;
  /** Inline mode: the invoice of an inline message, made once however often it is asked for. */
  issueInline(input: IssueInlineInvoice): Promise<InlineIssueResult>;
  findByInlineMessage(inlineMessageId: string): Promise<InvoiceRow | undefined>;
}

export function createInvoiceService(deps: InvoiceServiceDeps): InvoiceService {
  const { db, payments, logger } = deps;
  const now = deps.now ?? (() => new Date());

  /** Counts a status change that was applied (not a stale, repeated or unknown one). */
  function countApplied(status: string, result: TransitionResult): void {
    if (result.outcome !== 'applied' || !deps.metrics) return;
    const labels = { token: result.token ?? 'unknown' };
    if (status === 'Expired') deps.metrics.invoicesExpired.inc(labels);
    else if (isPaidStatus(status) && status !== 'Withdrawn') deps.metrics.invoicesPaid.inc(labels);
  }

  function checkoutLink(smartyPayId: string, description: string | undefined, locale?: string): string {
    const url = new URL(deps.checkoutUrl);
    url.searchParams.set('invoice-id', smartyPayId);
    if (description) url.searchParams.set('name', description);
    if (locale) url.searchParams.set('lang', locale);
    return url.toString();
  }

  async function findByPayMessage(chatId: number, payMessageId: number): Promise<InvoiceRow | undefined> {
    const [row] = await db
      .select()
      .from(invoices)
      .where(and(eq(invoices.chatId, chatId), eq(invoices.payMessageId, payMessageId)))
      .limit(1);
    return row;
  }

  const inline = createInlineIssuer({ ...deps, now, checkoutLink });

  return {
    checkoutLink,
    issueInline: inline.issue,
    findByInlineMessage: inline.find,

    async countIssuedSince(userId, since) {
      const [row] = await db
        .select({ n: count() })
        .from(invoices)
        .where(and(eq(invoices.issuedByUserId, userId), gte(invoices.createdAt, since)));
      return row?.n ?? 0;
    },

    async applyRemoteState(invoiceId, remote) {
      const result = await applyTransition(deps.query, {
        invoice: { id: invoiceId },
        status: remote.status,
        paid: remote.paidAmount,
        paidAt: remote.paidAt,
        now: now(),
      });
      countApplied(remote.status, result);
      return result.outcome === 'applied';
    },

    async expire(invoiceId) {
      const result = await applyTransition(deps.query, { invoice: { id: invoiceId }, status: 'Expired', now: now() });
      countApplied('Expired', result);
      return result.outcome === 'applied';
    },

    async issue({ chatId, payMessageId, issuedByUserId, request, locale }) {
      const existing = await findByPayMessage(chatId, payMessageId);
      if (existing) return { kind: 'duplicate', invoice: existing };

      const expiresAt = new Date(now().getTime() + deps.ttlMinutes * 60_000);
      // SMARTy Pay first: if it fails, nothing is written and the merchant is told.
      const remote = await payments.createInvoice({
        amount: request.amount,
        token: request.token,
        expiresAt,
        metadata: { chatId, messageId: payMessageId },
      });
      const inserted = await db
        .insert(invoices)
        .values({
          smartyPayId: remote.id,
          chatId,
          payMessageId,
          issuedByUserId,
          amount: request.amount,
          token: request.token,
          description: request.description,
          locale: locale ?? 'en',
          status: isInvoiceStatus(remote.status) ? remote.status : 'Created',
          checkoutUrl: checkoutLink(remote.id, request.description, locale ?? 'en'),
          createdAt: now(),
          expiresAt: remote.expiresAt ?? expiresAt,
          nextCheckAt: firstCheckAt(now(), remote.expiresAt ?? expiresAt),
          remindAt: reminderAt(remote.expiresAt ?? expiresAt, deps.reminderMinutes ?? 0, now()),
          updatedAt: now(),
        })
        .onConflictDoNothing({ target: [invoices.chatId, invoices.payMessageId] })
        .returning();
      const invoice = inserted[0];
      if (invoice) {
        deps.metrics?.invoicesCreated.inc({ token: invoice.token });
        return { kind: 'created', invoice: withNormalAmount(invoice) };
      }
      // A concurrent delivery of the same /pay won; its invoice is the one. Ours just expires unused.
      logger.warn(
        { smartyPayId: remote.id, chatId, payMessageId },
        'duplicate /pay raced; extra remote invoice left to expire',
      );
      const winner = await findByPayMessage(chatId, payMessageId);
      if (!winner) throw new Error('invoice insert conflicted but no row was found');
      return { kind: 'duplicate', invoice: withNormalAmount(winner) };
    },

    async attachCard(invoiceId, cardMessageId) {
      await db.update(invoices).set({ cardMessageId, updatedAt: now() }).where(eq(invoices.id, invoiceId));
    },

    async applyWebhook(payload, rawBody) {
      const result = await applyTransition(deps.query, {
        invoice: { smartyPayId: payload.invoiceId },
        status: payload.status,
        paid: parseMoney(payload.paidAmount),
        paidAt: parseDate(payload.paidAt),
        now: now(),
        event: {
          dedupeKey: payload.eventId ?? `${payload.invoiceId}:${payload.status}`,
          smartyPayInvoiceId: payload.invoiceId,
          rawPayload: rawBody,
          eventTs: parseDate(payload.eventTs),
        },
      });
      countApplied(payload.status, result);
      const metadata = readInvoiceMetadata(payload.metadata);
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

/** expiresAt − minutes when that is still ahead; otherwise (or when off) no reminder. */
function reminderAt(expiresAt: Date, minutes: number, at: Date): Date | null {
  const remindAt = new Date(expiresAt.getTime() - minutes * 60_000);
  return minutes > 0 && remindAt > at ? remindAt : null;
}

function parseDate(value: string | null | undefined): Date | undefined {
  const date = value ? new Date(value) : undefined;
  return date && !Number.isNaN(date.getTime()) ? date : undefined;
}

function withNormalAmount(row: InvoiceRow): InvoiceRow {
  return { ...row, amount: normaliseDecimal(row.amount) };
}
