import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import { webhookInbox } from '../../src/db/schema.js';
import type { InvoiceService } from '../../src/invoices/service.js';
import { createWebhookInbox, type WebhookInboxDeps } from '../../src/invoices/webhook-inbox.js';
import { createMetrics } from '../../src/metrics.js';
import type { WebhookPayload } from '../../src/payments/webhook-payload.js';
import { useTestDatabase } from '../support/database.js';

// The inbox on a real database (both drivers), with a stand-in for InvoiceService.applyWebhook that records what
// it was given (its own behaviour is tested through the app: test/reliability/webhook.test.ts and the e2e tests).

const testDb = useTestDatabase();
const silent = pino({ level: 'silent' });

type Apply = InvoiceService['applyWebhook'];

function body(invoiceId = `sp-${randomUUID()}`, status = 'Paid'): string {
  return JSON.stringify({ eventId: randomUUID(), invoiceId, status, amount: '1 bUSDT' });
}

/** An applyWebhook that records each call and answers `applied`, unless `fail` says to throw for that call. */
function recorder(fail: (payload: WebhookPayload, call: number) => boolean = () => false) {
  const calls: Array<{ payload: WebhookPayload; raw: string }> = [];
  const applyWebhook: Apply = async (payload, raw) => {
    calls.push({ payload, raw });
    if (fail(payload, calls.length)) throw new Error('database went away');
    return { outcome: 'applied' };
  };
  return { calls, applyWebhook };
}

function inbox(applyWebhook: Apply, options: Partial<WebhookInboxDeps> = {}) {
  return createWebhookInbox({
    query: testDb.handle.query,
    invoices: { applyWebhook },
    logger: silent,
    ...options,
  });
}

const rows = () => testDb.handle.db.select().from(webhookInbox).orderBy(webhookInbox.id);

beforeEach(async () => {
  await testDb.handle.db.delete(webhookInbox);
});

describe('the webhook inbox', () => {
  it('stores a webhook when accepted and applies it after, once, oldest first; an applied row is deleted', async () => {
    const { calls, applyWebhook } = recorder();
    const subject = inbox(applyWebhook);
    const bodies = [body('sp-1'), body('sp-2'), body('sp-3')];
    for (const raw of bodies) await subject.accept(raw, 'req-1');

    // Accepted = committed and nothing applied yet (the worker is not started here).
    expect((await rows()).map((r) => r.rawPayload)).toEqual(bodies);
    expect(calls).toEqual([]);

    expect(await subject.processOnce()).toBe(3);
    expect(calls.map((c) => c.raw)).toEqual(bodies);
    expect(calls.map((c) => c.payload.invoiceId)).toEqual(['sp-1', 'sp-2', 'sp-3']);
    expect(await rows()).toEqual([]);
    expect(await subject.processOnce()).toBe(0);
  });

  it('the started worker applies what is accepted without being asked', async () => {
    const { calls, applyWebhook } = recorder();
    const subject = inbox(applyWebhook, { pollIntervalMs: 60_000 });
    subject.start();
    try {
      await subject.accept(body('sp-woken'));
      await subject.drain(5_000);
      expect(calls.map((c) => c.payload.invoiceId)).toEqual(['sp-woken']);
    } finally {
      await subject.stop();
    }
  });

  it('a row that fails to apply is kept, retried after a backoff, then applied', async () => {
    const { calls, applyWebhook } = recorder((_payload, call) => call === 1);
    const metrics = createMetrics();
    const subject = inbox(applyWebhook, { metrics });
    await subject.accept(body('sp-retry'));

    expect(await subject.processOnce()).toBe(1);
    const [kept] = await rows();
    expect(kept).toMatchObject({ attempts: 1, lastError: 'Error: database went away', failedAt: null });
    // Not taken again before its backoff (1 s) ends.
    expect(await subject.processOnce()).toBe(0);
    expect(kept?.leaseUntil?.getTime()).toBeGreaterThan(Date.now());

    await testDb.handle.db.update(webhookInbox).set({ leaseUntil: new Date(Date.now() - 1) });
    expect(await subject.processOnce()).toBe(1);
    expect(calls).toHaveLength(2);
    expect(await rows()).toEqual([]);
    const exposed = await metrics.registry.metrics();
    expect(exposed).toMatch(/^webhook_events_total\{outcome="applied"\} 1$/m);
    expect(exposed).not.toMatch(/outcome="failed"/);
  });

  it('after maxAttempts a row is set aside for a human: never taken again, counted as failed', async () => {
    const { calls, applyWebhook } = recorder(() => true);
    const metrics = createMetrics();
    const subject = inbox(applyWebhook, { metrics, maxAttempts: 2 });
    await subject.accept(body('sp-poison'));
    for (let attempt = 0; attempt < 2; attempt++) {
      await testDb.handle.db.update(webhookInbox).set({ leaseUntil: null });
      expect(await subject.processOnce()).toBe(1);
    }
    const [aside] = await rows();
    expect(aside?.attempts).toBe(2);
    expect(aside?.failedAt).toBeInstanceOf(Date);
    await testDb.handle.db.update(webhookInbox).set({ leaseUntil: null });
    expect(await subject.processOnce()).toBe(0);
    expect(calls).toHaveLength(2);
    expect(await metrics.registry.metrics()).toMatch(/^webhook_events_total\{outcome="failed"\} 1$/m);
    // drain() does not wait for a row set aside.
    await subject.drain(1_000);
  });

  it('a stored body this version cannot read is set aside at once, not retried', async () => {
    const { calls, applyWebhook } = recorder();
    const subject = inbox(applyWebhook);
    await testDb.handle.db.insert(webhookInbox).values({ rawPayload: '{"invoiceId":42}' });
    expect(await subject.processOnce()).toBe(1);
    expect(calls).toEqual([]);
    const [aside] = await rows();
    expect(aside?.failedAt).toBeInstanceOf(Date);
    expect(aside?.lastError).toContain('not a webhook payload');
  });

  it('two processes taking at once apply every row exactly once between them', async () => {
    const applied: string[] = [];
    const applyWebhook: Apply = async (payload) => {
      applied.push(payload.invoiceId);
      await new Promise((resolve) => setImmediate(resolve));
      return { outcome: 'applied' };
    };
    const a = inbox(applyWebhook, { batchSize: 7 });
    const b = inbox(applyWebhook, { batchSize: 7 });
    const ids = Array.from({ length: 60 }, (_, i) => `sp-both-${i}`);
    for (const id of ids) await a.accept(body(id));
    const run = async (subject: typeof a) => {
      while ((await subject.processOnce()) > 0);
    };
    await Promise.all([run(a), run(b), run(a), run(b)]);
    expect([...applied].sort()).toEqual([...ids].sort());
    expect(await rows()).toEqual([]);
  });

  it('rows taken by a process that died are taken again once its lease lapses', async () => {
    const { calls, applyWebhook } = recorder();
    await inbox(applyWebhook).accept(body('sp-orphan'));
    // A process takes the row and dies before applying it: its lease is what is left.
    await testDb.handle.db.update(webhookInbox).set({ leaseUntil: new Date(Date.now() + 60_000), attempts: 1 });
    const survivor = inbox(applyWebhook);
    expect(await survivor.processOnce()).toBe(0);
    await testDb.handle.db.update(webhookInbox).set({ leaseUntil: new Date(Date.now() - 1) });
    expect(await survivor.processOnce()).toBe(1);
    expect(calls.map((c) => c.payload.invoiceId)).toEqual(['sp-orphan']);
  });

  it('stopping mid-batch releases the rows not applied yet, for the next process', async () => {
    let stopping: Promise<void> | undefined;
    const subject = inbox(
      async () => {
        stopping ??= subject.stop(5_000);
        return { outcome: 'applied' };
      },
      { pollIntervalMs: 60_000 },
    );
    for (const id of ['sp-a', 'sp-b', 'sp-c']) await subject.accept(body(id));
    subject.start();
    await new Promise<void>((resolve) => {
      const poll = () => (stopping ? resolve() : setTimeout(poll, 5));
      poll();
    });
    await stopping;
    // The first was applied (and deleted); the other two wait, not leased, for whoever starts next.
    const left = await rows();
    expect(left).toHaveLength(2);
    expect(left.map((r) => r.leaseUntil)).toEqual([null, null]);
    // Never tried, so not one attempt nearer to being set aside.
    expect(left.map((r) => r.attempts)).toEqual([0, 0]);
  });
});
