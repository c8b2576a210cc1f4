import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { chatInvoiceHours, chatInvoiceTotals, invoices } from '../../src/db/schema.js';
import type { InvoiceStatus } from '../../src/db/vocabulary.js';
import { normaliseDecimal } from '../../src/decimal.js';
import { createStatsQueries, type Group, statsOf } from '../../src/invoices/report-stats.js';
import { PAID_STATUSES, PLAIN_DECIMAL_PATTERN } from '../../src/invoices/state-machine.js';
import { useTestDatabase } from '../support/database.js';

// chat_invoice_totals is kept by a trigger on invoices (migration 0013): whatever the writes, it must equal the
// totals counted afresh from the invoices (chat_invoice_totals_rebuild, the same sums the reports made before).
// chat_invoice_hours (0019) is the same per hour of creation, and /stats' windows read it: they must say what
// counting the window's invoices one by one says, whichever side of an hour a window starts.

const testDb = useTestDatabase();

/** The totals as the trigger kept them, empty groups left out, amounts normalised; `hours` the per-hour ones. */
async function totals(
  table: typeof chatInvoiceTotals | typeof chatInvoiceHours = chatInvoiceTotals,
): Promise<string[]> {
  const rows = await testDb.handle.db.select().from(table);
  return rows
    .filter((row) => row.invoices !== 0)
    .map((row) =>
      [
        row.chatId,
        ...('hour' in row ? [(row.hour as Date).toISOString()] : []),
        row.status,
        row.token,
        row.paidToken,
        row.invoices,
        normaliseDecimal(row.amount),
        normaliseDecimal(row.reportedPaid),
        row.reported,
        normaliseDecimal(row.unreportedAmount),
      ].join(' '),
    )
    .sort();
}

let next = 0;
async function insert(chatId: number, values: Partial<typeof invoices.$inferInsert> = {}): Promise<number> {
  next += 1;
  const [row] = await testDb.handle.db
    .insert(invoices)
    .values({
      smartyPayId: `totals-${next}`,
      chatId,
      notifyChatId: chatId,
      payMessageId: next,
      amount: `${next}.25`,
      token: 'bUSDT',
      status: 'Created',
      checkoutUrl: 'https://checkout.example/',
      expiresAt: new Date(Date.now() + 3_600_000),
      ...values,
    })
    .returning({ id: invoices.id });
  if (!row) throw new Error('no row');
  return row.id;
}

const update = (id: number, set: string) =>
  testDb.handle.db.execute(sql.raw(`update invoices set ${set} where id = ${id}`));

describe('chat_invoice_totals', () => {
  it('follows every insert, status change, payment, chat move and delete, and equals a recount', async () => {
    const a = await insert(-100);
    const b = await insert(-100, { token: 'pUSDC' });
    const c = await insert(-100);
    const d = await insert(-200);
    const e = await insert(-200, { status: 'Unconfirmed' });
    await update(a, "status = 'Paid', paid_amount = '1.25', paid_token = 'bUSDT'");
    // Paid in another token, then more of it.
    await update(b, "status = 'UnderPaid', paid_amount = '0.5', paid_token = 'btMNXe'");
    await update(b, "paid_amount = '0.75'");
    // Not a plain decimal: counted by its amount where Paid exactly counts that, never summed.
    await update(c, "status = 'Paid', paid_amount = '1e3'");
    await update(d, "status = 'Expired'");
    // Columns the totals do not hold: no change.
    await update(d, 'card_message_id = 7, next_check_at = null');
    await update(e, "status = 'Created', smartypay_id = 'adopted-1'");
    // A group that becomes a supergroup: its invoices move chat.
    await testDb.handle.db.execute(sql`update invoices set notify_chat_id = -300 where notify_chat_id = -200`);
    await testDb.handle.db.execute(sql`delete from invoices where id = ${c}`);

    const kept = await totals();
    expect(kept).toEqual([
      '-100 Paid bUSDT bUSDT 1 1.25 1.25 1 0',
      `-100 UnderPaid pUSDC btMNXe 1 ${b}.25 0.75 1 0`,
      `-300 Created bUSDT  1 ${e}.25 0 0 ${e}.25`,
      `-300 Expired bUSDT  1 ${d}.25 0 0 ${d}.25`,
    ]);
    const keptHours = await totals(chatInvoiceHours);
    // Every group in the hour its invoices were created in (rebuilt below from the invoices themselves).
    expect(keptHours.length).toBeGreaterThanOrEqual(kept.length);
    await testDb.handle.db.execute(sql`select chat_invoice_totals_rebuild()`);
    expect(await totals()).toEqual(kept);
    expect(await totals(chatInvoiceHours)).toEqual(keptHours);
  });

  it("/stats' 24 h and 7 day windows from the hours equal a count of the windows' invoices, at every edge", async () => {
    const chat = -400;
    const at = new Date();
    const day = new Date(at.getTime() - 24 * HOUR);
    const week = new Date(at.getTime() - 7 * 24 * HOUR);
    const nextHour = (t: Date) => new Date(Math.ceil(t.getTime() / HOUR) * HOUR);
    const seconds = (t: Date, s: number) => new Date(t.getTime() + s * 1000);
    // Just outside, just inside, either side of the first whole hour, and well inside each window.
    const times = [
      seconds(week, -1),
      seconds(week, 1),
      seconds(nextHour(week), -1),
      nextHour(week),
      seconds(nextHour(week), 3 * 3600),
      seconds(day, -1),
      seconds(day, 1),
      seconds(nextHour(day), -1),
      nextHour(day),
      seconds(at, -60),
    ].filter((t) => t.getTime() < at.getTime());
    const kinds: Array<Partial<typeof invoices.$inferInsert>> = [
      { status: 'Paid', paidAmount: '3.5', paidToken: 'bUSDT' },
      { status: 'Paid' },
      { status: 'UnderPaid', paidAmount: '0.5', paidToken: 'pUSDC' },
      { status: 'OverPaid', paidAmount: '1e2' },
      { status: 'Expired' },
      { status: 'Created' },
    ];
    const inserted: Array<typeof invoices.$inferSelect> = [];
    for (const [i, createdAt] of times.entries()) {
      for (const [k, kind] of kinds.entries()) {
        if ((i + k) % 2 === 1) continue;
        const id = await insert(chat, { createdAt, token: k % 3 === 0 ? 'pUSDC' : 'bUSDT', ...kind });
        const [row] = await testDb.handle.db.select().from(invoices).where(sql`id = ${id}`);
        if (row) inserted.push(row);
      }
    }
    // One changes status after the fact: it moves between groups of its own hour.
    const moved = inserted.find((row) => row.status === 'Created');
    if (moved) {
      await update(moved.id, "status = 'Paid', paid_amount = '7', paid_token = 'bUSDT'");
      Object.assign(moved, { status: 'Paid', paidAmount: '7', paidToken: 'bUSDT' });
    }

    const counted = (from: Date) =>
      statsOf(
        inserted
          .filter((row) => row.createdAt.getTime() >= from.getTime())
          .map(
            (row): Group => ({
              status: row.status as InvoiceStatus,
              token: row.token,
              receivedToken: row.paidToken ?? row.token,
              invoices: 1,
              received:
                row.paidAmount !== null && new RegExp(PLAIN_DECIMAL_PATTERN).test(row.paidAmount)
                  ? row.paidAmount
                  : PAID_STATUSES.includes(row.status as InvoiceStatus) && row.status !== 'OverPaid'
                    ? row.amount
                    : null,
              due: row.amount,
            }),
          ),
      );
    const windows = await createStatsQueries(testDb.handle.db).recent(chat, day, week);
    expect(windows).toEqual({ day: counted(day), week: counted(week) });
    expect(windows.week.created).toBeGreaterThan(windows.day.created);
    expect(windows.day.created).toBeGreaterThan(0);
  });
});

const HOUR = 3_600_000;
