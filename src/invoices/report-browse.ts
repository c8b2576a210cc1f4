import { and, desc, eq, gt, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import {
  chatInvoiceTotals,
  type InvoiceRow,
  invoices,
  outbox,
  webhookDuplicates,
  webhookEvents,
} from '../db/schema.js';
import type { InvoiceStatus, NotificationKind, OutboxStatus } from '../db/vocabulary.js';

// The dashboard's invoice browser: every chat's invoices newest first, a keyset page at a time (never an offset:
// page 100 costs what page 1 does), filtered by status and chat; one invoice with every webhook delivery SMARTy Pay
// made for it and what the outbox sent about it.

/**
 * Where a page ends: the next page starts after this invoice (newest first). Its id alone, compared by the row's
 * own (created_at, id), so timestamps finer than JavaScript's milliseconds never skip or repeat an invoice.
 */
export type InvoiceCursor = number;

export interface InvoiceFilter {
  status?: InvoiceStatus | undefined;
  chatId?: number | undefined;
  after?: InvoiceCursor | undefined;
  limit: number;
}

export interface KeysetPage {
  rows: InvoiceRow[];
  /** Set when there are older invoices: pass it as `after` for the next page. */
  next: InvoiceCursor | undefined;
}

/**
 * Signed deliveries of one SMARTy Pay event: its first (applied, stale, ignored; `repeats` 1), or its repeats
 * (duplicate), counted, `receivedAt` the last of them and `firstReceivedAt` the first.
 */
export interface WebhookDelivery {
  receivedAt: Date;
  firstReceivedAt: Date;
  status: string;
  outcome: string;
  repeats: number;
}

export interface SentNotification {
  kind: NotificationKind;
  status: OutboxStatus;
  attempts: number;
  createdAt: Date;
  sentAt: Date | null;
  lastError: string | null;
}

export interface InvoiceDetail {
  invoice: InvoiceRow;
  deliveries: WebhookDelivery[];
  notifications: SentNotification[];
}

/** Deliveries and notifications shown per invoice; an invoice has a handful, a replayed one maybe more. */
const DETAIL_LIMIT = 200;

export async function invoicePage(db: Database, filter: InvoiceFilter): Promise<KeysetPage> {
  const where: SQL[] = [];
  if (filter.status) where.push(eq(invoices.status, filter.status));
  if (filter.chatId !== undefined) where.push(eq(invoices.notifyChatId, filter.chatId));
  if (filter.after !== undefined) {
    where.push(
      sql`(${invoices.createdAt}, ${invoices.id}) < (select c.created_at, c.id from invoices c where c.id = ${filter.after})`,
    );
  }
  const rows = await db
    .select()
    .from(invoices)
    .where(and(...where))
    .orderBy(desc(invoices.createdAt), desc(invoices.id))
    .limit(filter.limit + 1);
  const page = rows.slice(0, filter.limit);
  const last = page.at(-1);
  return { rows: page, next: rows.length > filter.limit && last ? last.id : undefined };
}

export async function invoiceDetail(db: Database, id: number): Promise<InvoiceDetail | undefined> {
  const [invoice] = await db.select().from(invoices).where(eq(invoices.id, id)).limit(1);
  if (!invoice) return undefined;
  const [events, repeats, notifications] = await Promise.all([
    db
      .select({
        receivedAt: webhookEvents.receivedAt,
        firstReceivedAt: webhookEvents.receivedAt,
        status: webhookEvents.status,
        outcome: webhookEvents.outcome,
        repeats: sql<number>`1`.mapWith(Number),
      })
      .from(webhookEvents)
      .where(eq(webhookEvents.smartyPayInvoiceId, invoice.smartyPayId))
      .orderBy(webhookEvents.receivedAt)
      .limit(DETAIL_LIMIT),
    db
      .select({
        receivedAt: webhookDuplicates.lastReceivedAt,
        firstReceivedAt: webhookDuplicates.firstReceivedAt,
        status: webhookDuplicates.status,
        outcome: sql<string>`'duplicate'`,
        repeats: webhookDuplicates.repeats,
      })
      .from(webhookDuplicates)
      .where(eq(webhookDuplicates.smartyPayInvoiceId, invoice.smartyPayId))
      .orderBy(webhookDuplicates.lastReceivedAt)
      .limit(DETAIL_LIMIT),
    db
      .select({
        kind: outbox.kind,
        status: outbox.status,
        attempts: outbox.attempts,
        createdAt: outbox.createdAt,
        sentAt: outbox.sentAt,
        lastError: outbox.lastError,
      })
      .from(outbox)
      .where(eq(outbox.invoiceId, id))
      .orderBy(outbox.createdAt, outbox.id)
      .limit(DETAIL_LIMIT),
  ]);
  const deliveries = [...events, ...repeats].sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime());
  return { invoice, deliveries, notifications };
}

/** The chats that have invoices (for the filter), by how many they have; at most `limit`. */
export async function invoiceChats(db: Database, limit: number): Promise<Array<{ chatId: number; invoices: number }>> {
  const n = sql<number>`sum(${chatInvoiceTotals.invoices})`.mapWith(Number);
  return db
    .select({ chatId: chatInvoiceTotals.chatId, invoices: n })
    .from(chatInvoiceTotals)
    .where(gt(chatInvoiceTotals.invoices, 0))
    .groupBy(chatInvoiceTotals.chatId)
    .orderBy(desc(n))
    .limit(limit);
}

/** When the last signed webhook arrived (a repeat counts: SMARTy Pay reached the bot), or null. */
export async function lastWebhookAt(db: Database): Promise<Date | null> {
  const [[first], [repeat]] = await Promise.all([
    db.select({ at: webhookEvents.receivedAt }).from(webhookEvents).orderBy(desc(webhookEvents.receivedAt)).limit(1),
    db
      .select({ at: webhookDuplicates.lastReceivedAt })
      .from(webhookDuplicates)
      .orderBy(desc(webhookDuplicates.lastReceivedAt))
      .limit(1),
  ]);
  const times = [first?.at, repeat?.at].filter((at): at is Date => at instanceof Date);
  return times.length === 0 ? null : new Date(Math.max(...times.map((at) => at.getTime())));
}
