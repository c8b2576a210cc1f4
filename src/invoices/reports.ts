import { and, count, desc, eq, gte, inArray, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { type InvoiceRow, invoices } from '../db/schema.js';
import { normaliseDecimal } from '../decimal.js';
import { MONEY_ARRIVED_STATUSES, PAID_STATUSES, PLAIN_DECIMAL_PATTERN } from './state-machine.js';

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
  /**
   * Per token, sorted by token, as exact decimal strings: `received` is what arrived (SMARTy Pay's paid
   * amounts, in the token they were paid in), `due` the amounts of those same invoices (in their token).
   * A token only paid in, or only billed in, has "0" on the other side.
   */
  volume: VolumeLine[];
}

export interface VolumeLine {
  token: string;
  received: string;
  due: string;
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

/** What SMARTy Pay said arrived, or for an invoice Paid exactly without that figure, its amount. */
const PAID_EXACTLY = PAID_STATUSES.filter((status) => status !== 'OverPaid');

/** Sorted by token; a side with no rows is "0". */
function mergeVolume(
  received: ReadonlyArray<{ token: string; amount: string | null }>,
  due: ReadonlyArray<{ token: string; amount: string | null }>,
): VolumeLine[] {
  const lines = new Map<string, VolumeLine>();
  const add = (rows: typeof received, side: 'received' | 'due') => {
    for (const row of rows) {
      if (row.amount === null) continue;
      const line = lines.get(row.token) ?? { token: row.token, received: '0', due: '0' };
      line[side] = normaliseDecimal(row.amount);
      lines.set(row.token, line);
    }
  };
  add(received, 'received');
  add(due, 'due');
  return [...lines.values()].sort((a, b) => (a.token < b.token ? -1 : a.token > b.token ? 1 : 0));
}

export function createInvoiceReports(deps: InvoiceReportsDeps): InvoiceReports {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());
  const isPaid = inArray(invoices.status, [...PAID_STATUSES]);
  const moneyArrived = inArray(invoices.status, [...MONEY_ARRIVED_STATUSES]);
  // paid_amount is text as SMARTy Pay reported it: only a plain decimal is summed (a cast of anything else
  // would fail the whole query). Without one, a Paid invoice received its amount; others count nothing.
  const receivedAmount = sql`case
    when ${invoices.paidAmount} ~ ${PLAIN_DECIMAL_PATTERN} then ${invoices.paidAmount}::numeric
    when ${inArray(invoices.status, [...PAID_EXACTLY])} then ${invoices.amount}
  end`;
  const receivedToken = sql<string>`coalesce(${invoices.paidToken}, ${invoices.token})`;

  async function windowStats(chatId: number, since: Date | undefined): Promise<WindowStats> {
    const scope: SQL | undefined = and(
      eq(invoices.notifyChatId, chatId),
      since ? gte(invoices.createdAt, since) : undefined,
    );
    const [counts] = await db
      .select({
        created: count(),
        paid: sql<number>`count(*) filter (where ${isPaid})`.mapWith(Number),
        expired: sql<number>`count(*) filter (where ${eq(invoices.status, 'Expired')})`.mapWith(Number),
      })
      .from(invoices)
      .where(scope);
    // numeric + numeric stays exact in Postgres; the text cast keeps it away from JS numbers.
    const [received, due] = await Promise.all([
      db
        .select({ token: receivedToken, amount: sql<string | null>`sum(${receivedAmount})::text` })
        .from(invoices)
        .where(and(scope, moneyArrived))
        .groupBy(receivedToken),
      db
        .select({ token: invoices.token, amount: sql<string | null>`sum(${invoices.amount})::text` })
        .from(invoices)
        .where(and(scope, moneyArrived))
        .groupBy(invoices.token),
    ]);
    return {
      created: counts?.created ?? 0,
      paid: counts?.paid ?? 0,
      expired: counts?.expired ?? 0,
      volume: mergeVolume(received, due),
    };
  }

  return {
    async page(chatId, offset, limit) {
      const [total] = await db.select({ n: count() }).from(invoices).where(eq(invoices.notifyChatId, chatId));
      const rows = await db
        .select()
        .from(invoices)
        .where(eq(invoices.notifyChatId, chatId))
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
        .where(eq(invoices.notifyChatId, chatId))
        .orderBy(desc(invoices.createdAt), desc(invoices.id))
        .limit(limit + 1);
      return { rows: rows.slice(0, limit), truncated: rows.length > limit };
    },
  };
}
