import { and, desc, eq, gt, inArray, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { chatInvoiceTotals, type InvoiceRow, invoices } from '../db/schema.js';
import {
  type InvoiceDetail,
  type InvoiceFilter,
  invoiceChats,
  invoiceDetail,
  invoicePage,
  type KeysetPage,
  lastWebhookAt,
} from './report-browse.js';
import { type Overview, overviewOf } from './report-overview.js';
import { createStatsQueries, type WindowStats } from './report-stats.js';

export type { InvoiceDetail } from './report-browse.js';
export type { WindowStats } from './report-stats.js';

// Read-only questions merchants ask about one chat's invoices (/invoices, /stats, /export; /status finds
// its invoice through the invoices service).
// Every query is scoped to a chat id, so no command can see another chat's invoices. None reads more than a bounded
// part of a chat's history: all-time figures and the /invoices total come from chat_invoice_totals (kept by a
// trigger, one row per status and token), the 24 h and 7 day windows from that part of the chat's invoices, a page
// or an export from the newest rows of the chat's index.

export interface InvoicePage {
  rows: InvoiceRow[];
  total: number;
}

export interface ChatStats {
  day: WindowStats;
  week: WindowStats;
  allTime: WindowStats;
}

export interface InvoiceReports {
  /** Newest first. */
  page(chatId: number, offset: number, limit: number): Promise<InvoicePage>;
  /** Invoices created in the last 24 h, 7 days and ever, counted by their current status. */
  stats(chatId: number): Promise<ChatStats>;
  /** At most `limit` invoices, newest first; `truncated` when there were more. */
  exportRows(chatId: number, limit: number): Promise<{ rows: InvoiceRow[]; truncated: boolean }>;
  // The merchant dashboard (src/miniapp/): every chat's invoices, as a merchant in MERCHANT_USER_IDS may see them.
  /** The last 24 hours, 7 and 30 days of every chat, and a day-by-day series. */
  overview(): Promise<Overview>;
  /** Every chat's invoices newest first, keyset-paged, filtered by status and chat. */
  browse(filter: InvoiceFilter): Promise<KeysetPage>;
  /** One invoice with its webhook deliveries and outbox rows; undefined when there is none. */
  detail(invoiceId: number): Promise<InvoiceDetail | undefined>;
  /** The chats with invoices, most first. */
  chats(limit: number): Promise<Array<{ chatId: number; invoices: number }>>;
  /** When SMARTy Pay's last signed webhook arrived. */
  lastWebhookAt(): Promise<Date | null>;
}

export interface InvoiceReportsDeps {
  db: Database;
  now?: () => Date;
}

const DAY_MS = 24 * 60 * 60_000;

export function createInvoiceReports(deps: InvoiceReportsDeps): InvoiceReports {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());
  const statsQueries = createStatsQueries(db);
  const totals = chatInvoiceTotals;

  return {
    async page(chatId, offset, limit) {
      const [total] = await db
        .select({ n: sql<number>`coalesce(sum(${totals.invoices}), 0)`.mapWith(Number) })
        .from(totals)
        .where(and(eq(totals.chatId, chatId), gt(totals.invoices, 0)));
      // The page's ids first, from the chat index alone (an index-only scan: the rows an offset skips are never
      // read from the table), then those rows: page 500 reads 10 rows, not 5,010.
      const pageIds = db
        .select({ id: invoices.id })
        .from(invoices)
        .where(eq(invoices.notifyChatId, chatId))
        .orderBy(desc(invoices.createdAt), desc(invoices.id))
        .limit(limit)
        .offset(offset);
      const rows = await db
        .select()
        .from(invoices)
        .where(inArray(invoices.id, pageIds))
        .orderBy(desc(invoices.createdAt), desc(invoices.id));
      return { rows, total: total?.n ?? 0 };
    },

    async stats(chatId) {
      const at = now().getTime();
      const [{ day, week }, allTime] = await Promise.all([
        statsQueries.recent(chatId, new Date(at - DAY_MS), new Date(at - 7 * DAY_MS)),
        statsQueries.allTime(chatId),
      ]);
      return { day, week, allTime };
    },

    async exportRows(chatId, limit) {
      const rows = await db
        .select()
        .from(invoices)
        .where(eq(invoices.notifyChatId, chatId))
        .orderBy(desc(invoices.createdAt), desc(invoices.id))
        .limit(limit + 1);
      return { rows: rows.slice(0, limit), truncated: rows.length > limit };
    },

    overview: () => overviewOf(db, now()),
    browse: (filter) => invoicePage(db, filter),
    detail: (invoiceId) => invoiceDetail(db, invoiceId),
    chats: (limit) => invoiceChats(db, limit),
    lastWebhookAt: () => lastWebhookAt(db),
  };
}
