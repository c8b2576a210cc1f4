import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/metrics.js';
import { botCalls, issueInvoice, outboxRowsOf, type TestChat, waitUntil } from '../support/flows.js';
import { type Harness, sendAndApply, startHarness } from '../support/harness.js';

// GET /metrics through the real app: the counters move with what the app actually did.

let h: Harness;
let nextChatId = 770_000;
const privateChat = (): TestChat => ({ id: ++nextChatId, type: 'private' });

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

/** Every sample of the exposition, keyed by the series as written (`name{label="value",...}`). */
function parseExposition(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    samples.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return samples;
}

async function scrape() {
  const response = await fetch(h.app.metricsUrl);
  const text = await response.text();
  return { status: response.status, contentType: response.headers.get('content-type'), samples: parseExposition(text) };
}

async function waitForAllSent(invoiceId: number) {
  await waitUntil(
    async () => (await outboxRowsOf(h, invoiceId)).every((row) => row.status === 'sent'),
    15_000,
    'every notification sent',
  );
}

/** Declares a body over the 64 kB limit, sends a few bytes of it and returns the answer's status. */
function postOversized(): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(h.webhookUrl, { method: 'POST', headers: { 'content-length': '100000' } }, (res) => {
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    req.on('error', reject);
    req.write('{"invoiceId":"');
  });
}

describe('GET /metrics', () => {
  it('counts an invoice issued and paid, a forged webhook and the confirmation sent', async () => {
    const chat = privateChat();
    const { remote, row } = await issueInvoice(h, chat, '/pay 5 bUSDT');
    expect((await sendAndApply(h, remote.id, { status: 'Paid' })).status).toBe(200);
    const forged = await sendAndApply(h, remote.id, {
      status: 'Paid',
      signature: 'ab'.repeat(32),
    });
    expect(forged.status).toBe(401);
    await h.telegram.waitFor(() => botCalls(h, chat.id).length === 2);
    expect(botCalls(h, chat.id)[1]?.params.text).toContain('Payment received');
    await waitForAllSent(row.id);

    const { status, contentType, samples } = await scrape();
    expect(status).toBe(200);
    expect(contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(samples.get('invoices_created_total{token="bUSDT"}')).toBe(1);
    expect(samples.get('invoices_paid_total{token="bUSDT"}')).toBe(1);
    expect(samples.get('invoices_expired_total{token="bUSDT"}')).toBeUndefined();
    expect(samples.get('webhook_requests_total{outcome="accepted"}')).toBe(1);
    expect(samples.get('webhook_requests_total{outcome="bad_signature"}')).toBe(1);
    expect(samples.get('webhook_events_total{outcome="applied"}')).toBe(1);
    expect(samples.get('pay_command_duration_seconds_count')).toBe(1);
    expect(samples.get('webhook_duration_seconds_count')).toBe(2);
    expect(samples.get('notifications_total{kind="paid_reply",result="sent"}')).toBe(1);
    expect(samples.get('notifications_total{kind="card_paid",result="sent"}')).toBe(1);
    expect(samples.get('outbox_pending')).toBe(0);
    expect(samples.get('outbox_oldest_pending_age_seconds')).toBe(0);
    expect([...samples.keys()].filter((key) => key.startsWith('telegram_api_errors_total'))).toEqual([]);
    expect(samples.get('process_resident_memory_bytes')).toBeGreaterThan(1_000_000);
  });

  it('counts a Telegram 403 on a confirmation by its error code, and the notification as failed', async () => {
    const chat = privateChat();
    const { remote, row } = await issueInvoice(h, chat, '/pay 2 bUSDT');
    h.telegram.failNext('sendMessage', { status: 403, description: 'Forbidden: bot was blocked by the user' });
    expect((await sendAndApply(h, remote.id, { status: 'Paid' })).status).toBe(200);
    await waitUntil(
      async () => (await outboxRowsOf(h, row.id)).find((r) => r.kind === 'paid_reply')?.status === 'failed',
      15_000,
      'the confirmation to fail',
    );
    await waitUntil(
      async () => (await outboxRowsOf(h, row.id)).find((r) => r.kind === 'card_paid')?.status === 'sent',
      15_000,
      'the card edit',
    );

    const { samples } = await scrape();
    expect(samples.get('telegram_api_errors_total{code="403"}')).toBe(1);
    expect(samples.get('notifications_total{kind="paid_reply",result="failed"}')).toBe(1);
    expect(samples.get('notifications_total{kind="paid_reply",result="sent"}')).toBe(1);
    expect(samples.get('invoices_created_total{token="bUSDT"}')).toBe(2);
    expect(samples.get('invoices_paid_total{token="bUSDT"}')).toBe(2);
  });

  it('names every other webhook outcome: duplicate, stale, unknown invoice, malformed, too large', async () => {
    const chat = privateChat();
    const { remote, row } = await issueInvoice(h, chat, '/pay 3 bUSDT');
    const paid = h.smartypay.webhookBody(remote.id, { status: 'Paid' });
    const unknown = JSON.stringify({ ...JSON.parse(paid), invoiceId: 'not-our-invoice', eventId: randomUUID() });
    const statuses = [
      await sendAndApply(h, remote.id, { body: paid }),
      await sendAndApply(h, remote.id, { body: paid }),
      await sendAndApply(h, remote.id, { status: 'Confirming' }),
      await sendAndApply(h, remote.id, { body: unknown }),
      await sendAndApply(h, remote.id, { body: 'not json' }),
    ].map((response) => response.status);
    expect(statuses).toEqual([200, 200, 200, 200, 400]);
    expect(await postOversized()).toBe(413);
    await waitForAllSent(row.id);

    const { samples } = await scrape();
    // Every stored webhook is answered 200 ("accepted"); what applying it did is counted apart.
    expect(samples.get('webhook_requests_total{outcome="accepted"}')).toBe(2 + 4);
    expect(samples.get('webhook_events_total{outcome="applied"}')).toBe(3);
    expect(samples.get('webhook_events_total{outcome="duplicate"}')).toBe(1);
    expect(samples.get('webhook_events_total{outcome="stale"}')).toBe(1);
    expect(samples.get('webhook_events_total{outcome="unknown_invoice"}')).toBe(1);
    expect(samples.get('webhook_requests_total{outcome="malformed"}')).toBe(1);
    expect(samples.get('webhook_requests_total{outcome="too_large"}')).toBe(1);
    expect(samples.get('webhook_requests_total{outcome="error"}')).toBeUndefined();
    expect(samples.get('webhook_duration_seconds_count')).toBe(2 + 1 + 6);
  });
});

describe('createMetrics', () => {
  it('serves everything else when the outbox read fails or hangs, with NaN for the outbox gauges', async () => {
    for (const readOutbox of [() => Promise.reject(new Error('database down')), () => new Promise<never>(() => {})]) {
      const metrics = createMetrics({ readOutbox, readTimeoutMs: 50 });
      metrics.invoicesCreated.inc({ token: 'bUSDT' });
      const samples = parseExposition(await metrics.registry.metrics());
      expect(samples.get('outbox_pending')).toBeNaN();
      expect(samples.get('outbox_oldest_pending_age_seconds')).toBeNaN();
      expect(samples.get('invoices_created_total{token="bUSDT"}')).toBe(1);
      expect(samples.get('process_resident_memory_bytes')).toBeGreaterThan(1_000_000);
    }
  });

  it('reads the outbox once per scrape for both gauges', async () => {
    let reads = 0;
    const metrics = createMetrics({
      readOutbox: async () => {
        reads += 1;
        return { pending: 4, oldestPendingAgeMs: 2_500, failedByReason: {} };
      },
    });
    const samples = parseExposition(await metrics.registry.metrics());
    expect(reads).toBe(1);
    expect(samples.get('outbox_pending')).toBe(4);
    expect(samples.get('outbox_oldest_pending_age_seconds')).toBe(2.5);
  });
});
