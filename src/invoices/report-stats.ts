import { and, eq, gt, inArray, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { fixedStatement } from '../db/fixed-statement.js';
import { chatInvoiceTotals, invoices } from '../db/schema.js';
import type { InvoiceStatus } from '../db/vocabulary.js';
import { addDecimals, normaliseDecimal } from '../decimal.js';
import { MONEY_ARRIVED_STATUSES, PAID_STATUSES, PLAIN_DECIMAL_PATTERN } from './state-machine.js';

// /stats for one chat: its invoices created in the last 24 h and 7 days (their hours' rows of chat_invoice_hours and
// the invoices of the part-hour each window starts with), and ever (its rows of chat_invoice_totals, a few per status
// and token however many invoices it had).

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

/** A chat's totals row (chat_invoice_totals, chat_invoice_hours, or a window's sum of them), as summed figures. */
interface TotalsRow {
  status: InvoiceStatus;
  token: string;
  paidToken: string;
  invoices: number;
  amount: string;
  reportedPaid: string;
  reported: number;
  unreportedAmount: string;
}

/** As receivedAmount summed: the plain paid amounts, and for Paid exactly the amount of the others. */
function groupOf(row: TotalsRow): Group {
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
}

const HOUR_MS = 60 * 60_000;
/** The first whole hour (UTC) at or after `at`: a window's hours from there on are in chat_invoice_hours. */
const nextHour = (at: Date) => new Date(Math.ceil(at.getTime() / HOUR_MS) * HOUR_MS);

/**
 * Both windows' totals: each window's whole hours from chat_invoice_hours, and the part of an hour at its start from
 * the invoices themselves (the index on notify_chat_id, created_at). At most 7 × 24 small rows per group and an
 * hour of invoices, however busy the chat's week was (it read every invoice of the week before: bench p6).
 */
const WINDOWS = fixedStatement(
  `select w, status, token, paid_token, sum(invoices)::int as invoices, sum(amount)::text as amount,
    sum(reported_paid)::text as reported_paid, sum(reported)::int as reported,
    sum(unreported_amount)::text as unreported_amount
  from (
    select 'week' as w, status, token, paid_token, invoices, amount, reported_paid, reported, unreported_amount
    from chat_invoice_hours where chat_id = $chat and hour >= $weekHour::timestamptz
    union all
    select 'day', status, token, paid_token, invoices, amount, reported_paid, reported, unreported_amount
    from chat_invoice_hours where chat_id = $chat and hour >= $dayHour::timestamptz
    union all
    select case when created_at < $weekHour::timestamptz then 'week' else 'day' end, status, token,
      coalesce(paid_token, ''), 1, amount,
      case when paid_amount ~ '${PLAIN_DECIMAL_PATTERN}' then paid_amount::numeric else 0 end,
      case when paid_amount ~ '${PLAIN_DECIMAL_PATTERN}' then 1 else 0 end,
      case when paid_amount ~ '${PLAIN_DECIMAL_PATTERN}' then 0 else amount end
    from invoices where notify_chat_id = $chat
      and ((created_at >= $week::timestamptz and created_at < $weekHour::timestamptz)
        or (created_at >= $day::timestamptz and created_at < $dayHour::timestamptz))
  ) as parts
  group by 1, 2, 3, 4`,
  ['chat', 'week', 'weekHour', 'day', 'dayHour'],
);

export function createStatsQueries(db: Database) {
  return {
    /** The invoices created since `day` and since `week` (week ≤ day, at most 7 days back: see retention). */
    async recent(chatId: number, day: Date, week: Date): Promise<{ day: WindowStats; week: WindowStats }> {
      const rows = await WINDOWS.run(db, {
        chat: chatId,
        week: week.toISOString(),
        weekHour: nextHour(week).toISOString(),
        day: day.toISOString(),
        dayHour: nextHour(day).toISOString(),
      });
      const windowOf = (w: 'day' | 'week') =>
        statsOf(
          rows
            .filter((row) => row.w === w && Number(row.invoices) !== 0)
            .map((row) =>
              groupOf({
                status: row.status as InvoiceStatus,
                token: String(row.token),
                paidToken: String(row.paid_token),
                invoices: Number(row.invoices),
                amount: String(row.amount),
                reportedPaid: String(row.reported_paid),
                reported: Number(row.reported),
                unreportedAmount: String(row.unreported_amount),
              }),
            ),
        );
      // An invoice of the day's first part-hour is in the week through its hour's row.
      return { day: windowOf('day'), week: windowOf('week') };
    },

    /** Every invoice the chat ever had, from its totals. */
    async allTime(chatId: number): Promise<WindowStats> {
      const totals = chatInvoiceTotals;
      const rows = await db
        .select()
        .from(totals)
        .where(and(eq(totals.chatId, chatId), gt(totals.invoices, 0)));
      return statsOf(rows.map(groupOf));
    },
  };
}
