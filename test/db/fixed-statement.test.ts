import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { fixedStatement, rowOf } from '../../src/db/fixed-statement.js';
import { invoices, outbox } from '../../src/db/schema.js';
import { useTestDatabase } from '../support/database.js';

// Rows a fixed statement returns are mapped as drizzle maps its own: the /pay insert (src/invoices/issue.ts) and the
// claim (src/notify/claim-statements.ts) return them to code that expects drizzle's types.

const testDb = useTestDatabase();

describe('rowOf', () => {
  it('maps `returning *` of invoices and outbox exactly as a drizzle select of the same rows, on this driver', async () => {
    const { db } = testDb.handle;
    const at = new Date('2026-12-01T10:00:00.123Z');
    const [invoice] = await db
      .insert(invoices)
      .values({
        smartyPayId: 'sp-rowof',
        chatId: -1_001_234_567_890,
        notifyChatId: -1_001_234_567_890,
        payMessageId: 42,
        issuedByUserId: 9_007_199_254,
        amount: '12.34500000',
        token: 'bUSDT',
        description: 'Ünïcode',
        status: 'UnderPaid',
        checkoutUrl: 'https://example.test/pay',
        createdAt: at,
        expiresAt: new Date(at.getTime() + 3_600_000),
        paidAmount: '4',
        paidToken: 'bUSDT',
        nextCheckAt: null,
        updatedAt: at,
      })
      .returning();
    if (!invoice) throw new Error('no invoice');
    await db.insert(outbox).values({
      dedupeKey: `${invoice.id}:new_card`,
      kind: 'new_card',
      invoiceId: invoice.id,
      chatId: invoice.notifyChatId,
      targetMessageId: 42,
      payload: { status: 'Created' },
      nextAttemptAt: at,
      createdAt: at,
    });
    const selectInvoice = fixedStatement('select * from invoices where id = $id', ['id']);
    const selectOutbox = fixedStatement('select * from outbox where invoice_id = $id', ['id']);
    const [rawInvoice] = await selectInvoice.run(db, { id: invoice.id });
    const [rawOutbox] = await selectOutbox.run(db, { id: invoice.id });
    if (!rawInvoice || !rawOutbox) throw new Error('rows not found');

    expect(rowOf(invoices, rawInvoice)).toEqual(invoice);
    const [drizzleOutbox] = await db.select().from(outbox).where(eq(outbox.invoiceId, invoice.id));
    expect(rowOf(outbox, rawOutbox)).toEqual(drizzleOutbox);
    expect(rowOf(invoices, rawInvoice).createdAt).toBeInstanceOf(Date);
  });
});
