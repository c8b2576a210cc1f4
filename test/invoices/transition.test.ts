import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { invoices, outbox } from '../../src/db/schema.js';
import { INVOICE_STATUSES, type InvoiceStatus } from '../../src/db/vocabulary.js';
import { canTransition, isTopUp, STATE_MACHINE } from '../../src/invoices/state-machine.js';
import { applyTransition, type TransitionCause, targetOf } from '../../src/invoices/transition.js';
import { SMARTYPAY_STATUSES, type SmartyPayStatus } from '../../src/payments/statuses.js';
import { useTestDatabase } from '../support/database.js';

// The transition statement's rules for odd payments, on a real database without the app: a larger second
// UnderPaid, Withdrawn keeping what was paid, a settled remainder confirming the sale once, and a webhook
// adopting an Unconfirmed invoice (a create that timed out).

const testDb = useTestDatabase();
const now = new Date('2026-11-26T08:00:00Z');
let nextId = 0;

async function insertInvoice(values: Partial<typeof invoices.$inferInsert> = {}) {
  nextId += 1;
  const [row] = await testDb.handle.db
    .insert(invoices)
    .values({
      smartyPayId: `sp-${nextId}`,
      chatId: -100,
      notifyChatId: -100,
      payMessageId: nextId,
      cardMessageId: 1000 + nextId,
      amount: '10',
      token: 'bUSDT',
      status: 'Created',
      checkoutUrl: 'https://checkout.example/',
      expiresAt: new Date(now.getTime() + 3_600_000),
      nextCheckAt: new Date(now.getTime() + 60_000),
      ...values,
    })
    .returning();
  if (!row) throw new Error('no row');
  return row;
}

let eventNo = 0;
function webhook(smartyPayId: string, status: SmartyPayStatus, paid?: string) {
  eventNo += 1;
  return applyTransition(testDb.handle.query, {
    invoice: { smartyPayId },
    cause: {
      kind: 'remote',
      status,
      paid:
        paid === undefined ? undefined : { value: paid.split(' ')[0] as string, token: paid.split(' ')[1] as string },
      event: { dedupeKey: `ev-${eventNo}`, smartyPayInvoiceId: smartyPayId, rawPayload: '{}' },
    },
    now,
  });
}

const rowOf = async (id: number) => (await testDb.handle.db.select().from(invoices).where(eq(invoices.id, id)))[0];
const keysOf = async (id: number) =>
  (await testDb.handle.db.select().from(outbox).where(eq(outbox.invoiceId, id)).orderBy(outbox.id)).map(
    (r) => r.dedupeKey,
  );

describe('isTopUp', () => {
  const from = { status: 'UnderPaid' as const, token: 'bUSDT', paidAmount: '4', paidToken: 'bUSDT' };
  it('is a larger UnderPaid in the invoice token, nothing else', () => {
    expect(isTopUp(from, { status: 'UnderPaid', paidAmount: '8', paidToken: 'bUSDT' })).toBe(true);
    expect(isTopUp(from, { status: 'UnderPaid', paidAmount: '4', paidToken: 'bUSDT' })).toBe(false);
    expect(isTopUp(from, { status: 'UnderPaid', paidAmount: '3.99', paidToken: 'bUSDT' })).toBe(false);
    expect(isTopUp(from, { status: 'UnderPaid', paidAmount: '8', paidToken: 'bBNB' })).toBe(false);
    expect(isTopUp(from, { status: 'UnderPaid', paidAmount: '8e1', paidToken: 'bUSDT' })).toBe(false);
    expect(isTopUp({ ...from, paidAmount: 'lots' }, { status: 'UnderPaid', paidAmount: '8', paidToken: 'bUSDT' })).toBe(
      false,
    );
    expect(isTopUp({ ...from, status: 'Created' }, { status: 'UnderPaid', paidAmount: '8', paidToken: 'bUSDT' })).toBe(
      false,
    );
  });
});

describe('applyTransition', () => {
  it('records a second, larger UnderPaid and queues a new reply and card edit for it; a smaller one is stale', async () => {
    const row = await insertInvoice();
    expect((await webhook(row.smartyPayId, 'UnderPaid', '4 bUSDT')).outcome).toBe('applied');
    expect((await webhook(row.smartyPayId, 'UnderPaid', '3 bUSDT')).outcome).toBe('stale');
    expect((await webhook(row.smartyPayId, 'UnderPaid', '4 bUSDT')).outcome).toBe('stale');
    expect((await webhook(row.smartyPayId, 'UnderPaid', '8 bBNB')).outcome).toBe('stale');
    expect((await webhook(row.smartyPayId, 'UnderPaid', '8 bUSDT')).outcome).toBe('applied');
    expect(await rowOf(row.id)).toMatchObject({ status: 'UnderPaid', paidAmount: '8', paidToken: 'bUSDT' });
    expect((await rowOf(row.id))?.nextCheckAt).toBeInstanceOf(Date);
    expect(await keysOf(row.id)).toEqual([
      `${row.id}:underpaid_reply:4`,
      `${row.id}:card_closed:4`,
      `${row.id}:underpaid_reply:8`,
      `${row.id}:card_closed:8`,
    ]);
  });

  it('never casts a recorded paid amount that is not a plain decimal', async () => {
    const row = await insertInvoice({ status: 'UnderPaid', paidAmount: 'n/a', paidToken: 'bUSDT' });
    expect((await webhook(row.smartyPayId, 'UnderPaid', '8 bUSDT')).outcome).toBe('stale');
    expect((await rowOf(row.id))?.paidAmount).toBe('n/a');
  });

  it('Withdrawn keeps what was paid, in what and when', async () => {
    const row = await insertInvoice();
    await webhook(row.smartyPayId, 'Paid', '10 bUSDT');
    const paid = await rowOf(row.id);
    expect((await webhook(row.smartyPayId, 'Withdrawn', '0.5 bUSDT')).outcome).toBe('applied');
    expect(await rowOf(row.id)).toMatchObject({
      status: 'Withdrawn',
      paidAmount: '10',
      paidToken: 'bUSDT',
      paidAt: paid?.paidAt,
    });
  });

  it('a settled remainder notes the original as it was and queues the original card edit', async () => {
    const original = await insertInvoice({ status: 'UnderPaid', paidAmount: '4', paidToken: 'bUSDT' });
    const remainder = await insertInvoice({ amount: '6', payMessageId: null, remainderOfInvoiceId: original.id });
    expect((await webhook(remainder.smartyPayId, 'Paid', '6 bUSDT')).outcome).toBe('applied');
    const rows = await testDb.handle.db.select().from(outbox).where(eq(outbox.invoiceId, remainder.id));
    expect(rows.find((r) => r.kind === 'paid_reply')?.payload).toMatchObject({ linkedStatus: 'UnderPaid' });
    expect(await keysOf(original.id)).toEqual([`${original.id}:card_linked`]);
    const [linkedEdit] = await testDb.handle.db.select().from(outbox).where(eq(outbox.invoiceId, original.id));
    expect(linkedEdit).toMatchObject({ kind: 'card_linked', payload: { status: 'UnderPaid' } });
    // The rest then arrives on the original too: its reply knows the remainder was already paid.
    expect((await webhook(original.smartyPayId, 'Paid', '10 bUSDT')).outcome).toBe('applied');
    const originalRows = await testDb.handle.db.select().from(outbox).where(eq(outbox.invoiceId, original.id));
    expect(originalRows.find((r) => r.kind === 'paid_reply')?.payload).toMatchObject({ linkedStatus: 'Paid' });
    expect(await keysOf(remainder.id)).toContain(`${remainder.id}:card_linked`);
  });

  it('a webhook whose metadata names an Unconfirmed invoice adopts it', async () => {
    const row = await insertInvoice({ smartyPayId: 'unconfirmed:-100:77', status: 'Unconfirmed', nextCheckAt: null });
    const stranger = await webhook('sp-real', 'Paid', '10 bUSDT');
    expect(stranger.outcome).toBe('unknown_invoice');
    eventNo += 1;
    const adopted = await applyTransition(testDb.handle.query, {
      invoice: { smartyPayId: 'sp-real' },
      cause: {
        kind: 'remote',
        status: 'Confirming',
        event: {
          dedupeKey: `ev-${eventNo}`,
          smartyPayInvoiceId: 'sp-real',
          rawPayload: '{}',
          unconfirmedId: 'unconfirmed:-100:77',
        },
      },
      now,
    });
    expect(adopted).toMatchObject({ outcome: 'applied', invoiceId: row.id, adopted: true });
    expect(await rowOf(row.id)).toMatchObject({ smartyPayId: 'sp-real', status: 'Confirming', nextCheckAt: now });
    // From now on it is an ordinary invoice.
    expect(await webhook('sp-real', 'Paid', '10 bUSDT')).toMatchObject({ outcome: 'applied', adopted: false });
  });

  it('a payment for an Unconfirmed invoice cancelled meanwhile is still recognised', async () => {
    const row = await insertInvoice({ smartyPayId: 'unconfirmed:-100:78', status: 'Unconfirmed', nextCheckAt: null });
    await applyTransition(testDb.handle.query, {
      invoice: { id: row.id },
      cause: { kind: 'cancel', byUserId: 1 },
      now,
    });
    expect((await rowOf(row.id))?.status).toBe('Cancelled');
    eventNo += 1;
    const paid = await applyTransition(testDb.handle.query, {
      invoice: { smartyPayId: 'sp-late' },
      cause: {
        kind: 'remote',
        status: 'Paid',
        paid: { value: '10', token: 'bUSDT' },
        event: {
          dedupeKey: `ev-${eventNo}`,
          smartyPayInvoiceId: 'sp-late',
          rawPayload: '{}',
          unconfirmedId: 'unconfirmed:-100:78',
        },
      },
      now,
    });
    expect(paid).toMatchObject({ outcome: 'applied', invoiceId: row.id, adopted: true });
    expect(await rowOf(row.id)).toMatchObject({ smartyPayId: 'sp-late', status: 'Paid', nextCheckAt: null });
  });
});

describe('applyTransition applies exactly the state machine', () => {
  const causes: TransitionCause[] = [
    ...SMARTYPAY_STATUSES.map((status) => ({ kind: 'remote' as const, status, paid: { value: '3', token: 'bUSDT' } })),
    { kind: 'expire' },
    { kind: 'cancel', byUserId: 7 },
  ];
  const causeName = (cause: TransitionCause) => (cause.kind === 'remote' ? cause.status : cause.kind);

  // Every status an invoice may be in, times every cause: a webhook for SMARTy Pay's statuses (by its id, with an
  // event), our expiry and /cancel (by row id). Outcome, status, schedule, money columns and outbox rows.
  for (const from of INVOICE_STATUSES) {
    it(`from ${from}`, async () => {
      const results: unknown[] = [];
      const expected: unknown[] = [];
      for (const cause of causes) {
        const to: InvoiceStatus = targetOf(cause);
        const entry = STATE_MACHINE[to];
        const paidAt = new Date(now.getTime() - 3_600_000);
        const row = await insertInvoice({
          status: from,
          paidAmount: '1',
          paidToken: 'bUSDT',
          paidAt,
          remindAt: new Date(now.getTime() + 30 * 60_000),
        });
        eventNo += 1;
        const result = await applyTransition(testDb.handle.query, {
          invoice: cause.kind === 'remote' ? { smartyPayId: row.smartyPayId } : { id: row.id },
          cause:
            cause.kind === 'remote'
              ? {
                  ...cause,
                  event: { dedupeKey: `pair-${eventNo}`, smartyPayInvoiceId: row.smartyPayId, rawPayload: '{}' },
                }
              : cause,
          now,
        });
        const after = await rowOf(row.id);
        const kinds = (await testDb.handle.db.select().from(outbox).where(eq(outbox.invoiceId, row.id))).map(
          (r) => r.kind,
        );
        results.push({
          cause: causeName(cause),
          outcome: result.outcome,
          status: after?.status,
          checking: after?.nextCheckAt !== null,
          reminder: after?.remindAt !== null,
          paidAmount: after?.paidAmount,
          paidAt: after?.paidAt?.getTime(),
          cancelledBy: after?.cancelledByUserId,
          kinds: [...kinds].sort(),
        });
        // 1 of 10 paid before: a top-up to 3 is the one same-status move (UnderPaid again).
        const applies = canTransition(from, to) || (from === to && entry.again === 'when_more_paid');
        expected.push({
          cause: causeName(cause),
          outcome: applies ? 'applied' : 'stale',
          status: applies ? to : from,
          checking: applies ? entry.schedule !== 'stop_checking' : true,
          reminder: applies ? entry.schedule === 'check_and_remind' : true,
          paidAmount: applies && entry.payment !== 'withdrawn' && cause.kind === 'remote' ? '3' : '1',
          paidAt: applies && entry.payment === 'settled' ? now.getTime() : paidAt.getTime(),
          cancelledBy: applies && cause.kind === 'cancel' ? 7 : null,
          kinds: applies ? [...entry.notify].sort() : [],
        });
      }
      expect(results).toEqual(expected);
    });
  }
});
