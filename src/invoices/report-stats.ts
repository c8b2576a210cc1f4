import { and, eq, gt, gte, inArray, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { chatInvoiceTotals, invoices } from '../db/schema.js';
import type { InvoiceStatus } from '../db/vocabulary.js';
import { addDecimals, normaliseDecimal } from '../decimal.js';
import { MONEY_ARRIVED_STATUSES, PAID_STATUSES, PLAIN_DECIMAL_PATTERN } from './state-machine.js';

// /stats for one chat: its invoices created in the last 24 h and 7 days (one pass over that part of its history),
// and ever (its rows of chat_invoice_totals, a few per status and token however many invoices it had).

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

/** What SMARTy Pay said arrived, or for an invoice Paid exactly without that figure, its amount. */
const PAID_EXACTLY: readonly InvoiceStatus[] = PAID_STATUSES.filter((status) => status !== 'OverPaid');
const isPaid = (status: InvoiceStatus) => PAID_STATUSES.includes(status);
const moneyArrived = (status: InvoiceStatus) => MONEY_ARRIVED_STATUSES.includes(status);

/** Counts and amounts of some invoices sharing a status, token and received token; amounts null when none count. */
export interface Group {
  status: InvoiceStatus;
  token: string;
  receivedToken: string;
  invoices: number;
  received: string | null;
  due: string;
}

const plus = (a: string | null | undefined, b: string | null) =>
  b === null ? (a ?? null) : a === null || a === undefined ? normaliseDecimal(b) : addDecimals(a, b);

/** The window's figures from its groups: counts by status, volume per token of the invoices money arrived for. */
export function statsOf(groups: readonly Group[]): WindowStats {
  const received = new Map<string, string | null>();
  const due = new Map<string, string>();
  let created = 0;
  let paid = 0;
  let expired = 0;
  for (const group of groups) {
    created += group.invoices;
    if (isPaid(group.status)) paid += group.invoices;
    if (group.status === 'Expired') expired += group.invoices;
    if (!moneyArrived(group.status)) continue;
    received.set(group.receivedToken, plus(received.get(group.receivedToken), group.received));
    due.set(group.token, plus(due.get(group.token), group.due) as string);
  }
  const lines = new Map<string, VolumeLine>();
  const line = (token: string) => lines.get(token) ?? { token, received: '0', due: '0' };
  for (const [token, amount] of received) if (amount !== null) lines.set(token, { ...line(token), received: amount });
  for (const [token, amount] of due) lines.set(token, { ...line(token), due: amount });
  const volume = [...lines.values()].sort((a, b) => (a.token < b.token ? -1 : a.token > b.token ? 1 : 0));
  return { created, paid, expired, volume };
}

// paid_amount is text as SMARTy Pay reported it: only a plain decimal is summed (a cast of anything else
// would fail the whole query). Without one, a Paid invoice received its amount; others count nothing.
export const receivedAmount = sql`case
    when ${invoices.paidAmount} ~ ${PLAIN_DECIMAL_PATTERN} then ${invoices.paidAmount}::numeric
    when ${inArray(invoices.status, [...PAID_EXACTLY])} then ${invoices.amount}
  end`;
export const receivedToken = sql<string>`coalesce(${invoices.paidToken}, ${invoices.token})`;

export function createStatsQueries(db: Database) {
  return {
    /** The invoices created since `day` and since `week` (week ≤ day), read once. */
    async recent(chatId: number, day: Date, week: Date): Promise<{ day: WindowStats; week: WindowStats }> {
      const inDay = gte(invoices.createdAt, day);
      // numeric + numeric stays exact in Postgres; the text casts keep it away from JS numbers.
      const rows = await db
        .select({
          status: invoices.status,
          token: invoices.token,
          receivedToken,
          week: sql<number>`count(*)`.mapWith(Number),
          weekReceived: sql<string | null>`sum(${receivedAmount})::text`,
          weekDue: sql<string>`sum(${invoices.amount})::text`,
          day: sql<number>`count(*) filter (where ${inDay})`.mapWith(Number),
          dayReceived: sql<string | null>`sum(${receivedAmount}) filter (where ${inDay})::text`,
          dayDue: sql<string | null>`sum(${invoices.amount}) filter (where ${inDay})::text`,
        })
        .from(invoices)
        .where(and(eq(invoices.notifyChatId, chatId), gte(invoices.createdAt, week)))
        .groupBy(invoices.status, invoices.token, receivedToken);
      const base = (row: (typeof rows)[number]) => ({
        status: row.status,
        token: row.token,
        receivedToken: row.receivedToken,
      });
      return {
        day: statsOf(
          rows
            .filter((row) => row.day > 0)
            .map((row) => ({ ...base(row), invoices: row.day, received: row.dayReceived, due: row.dayDue ?? '0' })),
        ),
        week: statsOf(
          rows.map((row) => ({ ...base(row), invoices: row.week, received: row.weekReceived, due: row.weekDue })),
        ),
      };
    },

    /** Every invoice the chat ever had, from its totals. */
    async allTime(chatId: number): Promise<WindowStats> {
      const totals = chatInvoiceTotals;
      const rows = await db
        .select()
        .from(totals)
        .where(and(eq(totals.chatId, chatId), gt(totals.invoices, 0)));
      return statsOf(
        rows.map((row) => {
          // As receivedAmount, summed: the plain paid amounts, and for Paid exactly the amount of the others.
          const exactly = PAID_EXACTLY.includes(row.status);
          const counted = row.reported > 0 || (exactly && row.invoices > row.reported);
          return {
            status: row.status,
            token: row.token,
            receivedToken: row.paidToken === '' ? row.token : row.paidToken,
            invoices: row.invoices,
            received: counted ? addDecimals(row.reportedPaid, exactly ? row.unreportedAmount : '0') : null,
            due: row.amount,
          };
        }),
      );
    },
  };
}
