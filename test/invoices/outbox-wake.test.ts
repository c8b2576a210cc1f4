import { eq } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoices, outbox } from '../../src/db/schema.js';
import { createInvoiceLifecycle } from '../../src/invoices/lifecycle.js';
import { createInvoiceService, type InvoiceService } from '../../src/invoices/service.js';
import { createSmartyPayClient } from '../../src/payments/client.js';
import { useTestDatabase } from '../support/database.js';
import { type FakeSmartyPay, startFakeSmartyPay } from '../support/fake-smartypay.js';

// The writers of outbox rows wake the worker themselves, once their transaction committed: issuing, a webhook, a
// re-check, /cancel, the reminders. Each wake here starts a read of the outbox on the pool, so on Postgres a wake
// before the commit would read without the new rows.

const testDb = useTestDatabase();
let smartypay: FakeSmartyPay;
let service: InvoiceService;
let lifecycle: ReturnType<typeof createInvoiceLifecycle>;
let clock = new Date('2026-11-26T08:00:00Z');
/** What the outbox held for each wake, read when it was woken. */
let seen: Array<Promise<Array<{ invoiceId: number | null; kind: string }>>> = [];

const waker = {
  wake() {
    seen.push(testDb.handle.db.select({ invoiceId: outbox.invoiceId, kind: outbox.kind }).from(outbox));
  },
};

async function wakes(): Promise<Array<Array<{ invoiceId: number | null; kind: string }>>> {
  const reads = await Promise.all(seen);
  seen = [];
  return reads;
}

beforeAll(async () => {
  smartypay = await startFakeSmartyPay();
  const logger = pino({ level: 'silent' });
  const payments = createSmartyPayClient({
    apiKey: smartypay.apiKey,
    secretKey: smartypay.secretKey,
    host: smartypay.url,
    timeoutMs: 2000,
  });
  const now = () => clock;
  service = createInvoiceService({
    db: testDb.handle.db,
    query: testDb.handle.query,
    payments,
    logger,
    checkoutUrl: 'https://checkout.example/invoice',
    ttlMinutes: 60,
    reminderMinutes: 10,
    now,
    outbox: waker,
  });
  lifecycle = createInvoiceLifecycle({
    db: testDb.handle.db,
    query: testDb.handle.query,
    payments,
    invoices: service,
    logger,
    now,
    outbox: waker,
  });
});
afterAll(async () => {
  await smartypay?.close();
});

let nextMessageId = 100;
const issue = () =>
  service.issue({
    chatId: -500,
    payMessageId: ++nextMessageId,
    issuedByUserId: 1,
    request: { amount: '5', token: 'bUSDT', description: undefined },
  });

const kindsOf = (read: Array<{ invoiceId: number | null; kind: string }>, id: number) =>
  read
    .filter((row) => row.invoiceId === id)
    .map((row) => row.kind)
    .sort();

describe('the outbox is woken by whoever committed its rows', () => {
  it('issuing: after the invoice and its card row are committed; a repeated /pay wakes nobody', async () => {
    const { invoice, kind } = await issue();
    expect(kind).toBe('created');
    const [read, ...more] = await wakes();
    expect(more).toHaveLength(0);
    expect(kindsOf(read ?? [], invoice.id)).toEqual(['new_card']);

    const again = await service.issue({
      chatId: -500,
      payMessageId: nextMessageId,
      issuedByUserId: 1,
      request: { amount: '5', token: 'bUSDT', description: undefined },
    });
    expect(again.kind).toBe('duplicate');
    expect(await wakes()).toHaveLength(0);
  });

  it('a webhook that applies wakes once its rows are committed; its repeat wakes nobody', async () => {
    const { invoice } = await issue();
    await wakes();
    const payload = { invoiceId: invoice.smartyPayId, status: 'Paid', eventId: `paid-${invoice.id}` };
    const body = JSON.stringify(payload);
    expect((await service.applyWebhook(payload as never, body)).outcome).toBe('applied');
    const [read] = await wakes();
    expect(kindsOf(read ?? [], invoice.id)).toEqual(['card_paid', 'new_card', 'paid_reply']);

    expect((await service.applyWebhook(payload as never, body)).outcome).toBe('duplicate');
    expect(await wakes()).toHaveLength(0);
  });

  it('/cancel and a due reminder wake the worker; a cancel that changes nothing does not', async () => {
    const cancelled = (await issue()).invoice;
    const reminded = (await issue()).invoice;
    await wakes();
    expect((await lifecycle.cancel(cancelled, 1)).kind).toBe('cancelled');
    expect(kindsOf((await wakes())[0] ?? [], cancelled.id)).toEqual(['card_cancelled', 'new_card']);
    expect((await lifecycle.cancel(cancelled, 1)).kind).toBe('not_open');
    expect(await wakes()).toHaveLength(0);

    const [row] = await testDb.handle.db.select().from(invoices).where(eq(invoices.id, reminded.id));
    clock = new Date((row?.remindAt ?? clock).getTime() + 1000);
    expect(await lifecycle.enqueueDueReminders()).toBeGreaterThan(0);
    expect(kindsOf((await wakes())[0] ?? [], reminded.id)).toEqual(['new_card', 'reminder_reply']);
    expect(await lifecycle.enqueueDueReminders()).toBe(0);
    expect(await wakes()).toHaveLength(0);
  });
});
