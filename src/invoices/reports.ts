import { and, count, desc, eq, gte, inArray, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { type InvoiceRow, invoices } from '../db/schema.js';
import { normaliseDecimal } from './amount.js';
import { PAID_STATUSES } from './status.js';

// Read-only questions merchants ask about one chat's invoices (/invoices, /stats, /export; /status finds
// its invoice through the invoices service).
// Every query is scoped to a chat id, so no command can see another chat's invoices.

export interface InvoicePage {
  rows: InvoiceRow[];
  total: number;
}

export interface WindowStats {
  created: number;
  paid: number;
  expired: number;
  /** Sum of the amounts of paid invoices, per token, as exact decimal strings; sorted by token. */
  volume: Array<{ token: string; amount: string }>;
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
}

export interface InvoiceReportsDeps {
  db: Database;
  now?: () => Date;
}

const DAY_MS = 24 * 60 * 60_000;

export function createInvoiceReports(deps: InvoiceReportsDeps): InvoiceReports {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());
  const isPaid = inArray(invoices.status, [...PAID_STATUSES]);

  async function windowStats(chatId: number, since: Date | undefined): Promise<WindowStats> {
    const scope: SQL | undefined = and(eq(invoices.chatId, chatId), since ? gte(invoices.createdAt, since) : undefined);
    const [counts] = await db
      .select({
        created: count(),
        paid: sql<number>`count(*) filter (where ${isPaid})`.mapWith(Number),
        expired: sql<number>`count(*) filter (where ${invoices.status} = 'Expired')`.mapWith(Number),
      })
      .from(invoices)
      .where(scope);
    // numeric + numeric stays exact in Postgres; the text cast keeps it away from JS numbers.
    const volume = await db
      .select({ token: invoices.token, amount: sql<string>`sum(${invoices.amount})::text` })
      .from(invoices)
      .where(and(scope, isPaid))
      .groupBy(invoices.token)
      .orderBy(invoices.token);
    return {
      created: counts?.created ?? 0,
      paid: counts?.paid ?? 0,
      expired: counts?.expired ?? 0,
      volume: volume.map((v) => ({ token: v.token, amount: normaliseDecimal(v.amount) })),
    };
  }

  return {
    async page(chatId, offset, limit) {
      const [total] = await db.select({ n: count() }).from(invoices).where(eq(invoices.chatId, chatId));
      const rows = await db
        .select()
        .from(invoices)
        .where(eq(invoices.chatId, chatId))
        .orderBy(desc(invoices.createdAt), desc(invoices.id))
        .limit(limit)
        .offset(offset);
      return { rows, total: total?.n ?? 0 };
    },

    async stats(chatId) {
      const at = now().getTime();
      const [day, week, allTime] = await Promise.all([
        windowStats(chatId, new Date(at - DAY_MS)),
        windowStats(chatId, new Date(at - 7 * DAY_MS)),
        windowStats(chatId, undefined),
      ]);
      return { day, week, allTime };
    },

    async exportRows(chatId, limit) {
      const rows = await db
        .select()
        .from(invoices)
        .where(eq(invoices.chatId, chatId))
        .orderBy(desc(invoices.createdAt), desc(invoices.id))
        .limit(limit + 1);
      return { rows: rows.slice(0, limit), truncated: rows.length > limit };
    },
  };
}
