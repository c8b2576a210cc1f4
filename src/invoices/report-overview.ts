import { gte, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { invoices } from '../db/schema.js';
import { receivedAmount, receivedToken, statsOf, type WindowStats } from './report-stats.js';
import { isPaidStatus } from './state-machine.js';

// The dashboard's overview: every chat's invoices created in the last 24 hours, 7 and 30 days, counted as /stats
// counts one chat's, and a day-by-day series: one pass over the last 30 days (through invoices_created_idx).

export interface DailyPoint {
  /** The UTC day, YYYY-MM-DD. */
  day: string;
  created: number;
  paid: number;
}

export interface Overview {
  day: WindowStats;
  week: WindowStats;
  month: WindowStats;
  /** The last 30 UTC days, oldest first, today last; days without invoices are zeros. */
  daily: DailyPoint[];
}

const DAY_MS = 24 * 60 * 60_000;
const OVERVIEW_DAYS = 30;

export async function overviewOf(db: Database, now: Date): Promise<Overview> {
  const at = now.getTime();
  const since = (days: number) => new Date(at - days * DAY_MS);
  // The chart's first UTC day; the month window (30 × 24 h back) starts before it, so one pass serves both.
  const firstDay = new Date(
    Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - (OVERVIEW_DAYS - 1) * DAY_MS,
  );
  const window = (from: Date) => ({
    invoices: sql<number>`count(*) filter (where ${gte(invoices.createdAt, from)})`.mapWith(Number),
    received: sql<string | null>`(sum(${receivedAmount}) filter (where ${gte(invoices.createdAt, from)}))::text`,
    due: sql<string | null>`(sum(${invoices.amount}) filter (where ${gte(invoices.createdAt, from)}))::text`,
  });
  const windows = { day: window(since(1)), week: window(since(7)), month: window(since(OVERVIEW_DAYS)) };
  const dayOf = sql<string>`to_char(${invoices.createdAt} at time zone 'UTC', 'YYYY-MM-DD')`;
  // Grouped by UTC day too: the windows sum the days' groups (statsOf adds them up), the chart counts each day.
  const rows = await db
    .select({
      day: dayOf,
      status: invoices.status,
      token: invoices.token,
      receivedToken,
      created: sql<number>`count(*)`.mapWith(Number),
      dayInvoices: windows.day.invoices,
      dayReceived: windows.day.received,
      dayDue: windows.day.due,
      weekInvoices: windows.week.invoices,
      weekReceived: windows.week.received,
      weekDue: windows.week.due,
      monthInvoices: windows.month.invoices,
      monthReceived: windows.month.received,
      monthDue: windows.month.due,
    })
    .from(invoices)
    .where(gte(invoices.createdAt, since(OVERVIEW_DAYS)))
    .groupBy(dayOf, invoices.status, invoices.token, receivedToken);
  const statsFor = (name: 'day' | 'week' | 'month') =>
    statsOf(
      rows
        .filter((row) => row[`${name}Invoices`] > 0)
        .map((row) => ({
          status: row.status,
          token: row.token,
          receivedToken: row.receivedToken,
          invoices: row[`${name}Invoices`],
          received: row[`${name}Received`],
          due: row[`${name}Due`] ?? '0',
        })),
    );

  const daily = Array.from({ length: OVERVIEW_DAYS }, (_, i) => ({
    day: new Date(firstDay.getTime() + i * DAY_MS).toISOString().slice(0, 10),
    created: 0,
    paid: 0,
  }));
  const byDay = new Map(daily.map((point) => [point.day, point]));
  for (const row of rows) {
    const point = byDay.get(row.day);
    if (!point) continue; // before the chart's first day (the month window reaches a little further back)
    point.created += row.created;
    if (isPaidStatus(row.status)) point.paid += row.created;
  }
  return { day: statsFor('day'), week: statsFor('week'), month: statsFor('month'), daily };
}
