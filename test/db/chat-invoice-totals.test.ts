import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { chatInvoiceTotals, invoices } from '../../src/db/schema.js';
import { normaliseDecimal } from '../../src/decimal.js';
import { useTestDatabase } from '../support/database.js';

// chat_invoice_totals is kept by a trigger on invoices (migration 0013): whatever the writes, it must equal the
// totals counted afresh from the invoices (chat_invoice_totals_rebuild, the same sums the reports made before).

const testDb = useTestDatabase();

/** The totals as the trigger kept them, empty groups left out, amounts normalised. */
async function totals(): Promise<string[]> {
  const rows = await testDb.handle.db.select().from(chatInvoiceTotals);
  return rows
    .filter((row) => row.invoices !== 0)
    .map((row) =>
      [
        row.chatId,
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
    await testDb.handle.db.execute(sql`select chat_invoice_totals_rebuild()`);
    expect(await totals()).toEqual(kept);
  });
});
