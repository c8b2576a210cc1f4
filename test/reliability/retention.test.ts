import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoices, outbox, webhookEvents } from '../../src/db/schema.js';
import { botCalls, issueInvoice, outboxRowsOf, type TestChat } from '../support/flows.js';
import { type Harness, sendAndApply, settle, startHarness } from '../support/harness.js';

// Retention deletes the webhook events that deduplicate SMARTy Pay's deliveries and the outbox rows whose unique
// keys say "already queued". Through the real app and the fakes: pay, let DATA_RETENTION_DAYS pass on the injected
// clock, prune, replay the same signed webhook → 200, no status change, no second message. What stops it now is
// the state machine: an event applies only if it moves the invoice forward.

const DAY = 24 * 60 * 60_000;
let h: Harness;
let offsetMs = 0;
let nextChatId = -1_004_400;

function newGroup(): TestChat {
  nextChatId -= 1;
  return { id: nextChatId, type: 'supergroup', title: 'Retention shop' };
}

async function postWebhook(body: string): Promise<{ status: number; outcome: unknown }> {
  const { status, outcome } = await sendAndApply(h, '', { body });
  return { status, outcome };
}

const telegramCalls = () => h.telegram.calls.filter((call) => call.method !== 'getUpdates').length;

beforeAll(async () => {
  h = await startHarness({ now: () => new Date(Date.now() + offsetMs), env: { DATA_RETENTION_DAYS: '30' } });
});
afterAll(async () => {
  await h?.close();
});

describe('retention and replayed webhooks', () => {
  it('a paid invoice: its events and sent notifications pruned, the captured webhook replayed → 200, no effect', async () => {
    const chat = newGroup();
    const { remote, row } = await issueInvoice(h, chat, '/pay 7 bUSDT');
    h.smartypay.setStatus(remote.id, 'Paid');
    const captured = h.smartypay.webhookBody(remote.id, { eventId: `evt-${randomUUID()}` });
    expect(await postWebhook(captured)).toEqual({ status: 200, outcome: 'applied' });
    await settle(h.app);
    expect((await outboxRowsOf(h, row.id)).map((r) => [r.kind, r.status])).toEqual([
      ['new_card', 'sent'],
      ['paid_reply', 'sent'],
      ['card_paid', 'sent'],
    ]);
    expect(botCalls(h, chat.id)).toHaveLength(2); // the card and "Payment received"
    const [paid] = await h.db.select().from(invoices).where(eq(invoices.id, row.id));

    offsetMs += 31 * DAY;
    const run = await h.app.workers.retention.runOnce();
    expect(run.outcome === 'done' && run.deleted.outbox).toBeGreaterThanOrEqual(3);
    expect(await outboxRowsOf(h, row.id)).toEqual([]);
    expect(h.logs.find('data retention: old rows deleted').at(-1)?.deleted).toMatchObject({
      outbox: run.outcome === 'done' ? run.deleted.outbox : -1,
    });
    expect(await h.db.select().from(webhookEvents).where(eq(webhookEvents.smartyPayInvoiceId, remote.id))).toEqual([]);

    const callsBefore = telegramCalls();
    // The dedupe row is gone, so the event is recorded again, as what it now is: stale.
    expect(await postWebhook(captured)).toEqual({ status: 200, outcome: 'stale' });
    await settle(h.app);
    expect(await outboxRowsOf(h, row.id)).toEqual([]);
    expect((await h.db.select().from(invoices).where(eq(invoices.id, row.id)))[0]).toEqual(paid);
    expect(telegramCalls()).toBe(callsBefore);
    expect(botCalls(h, chat.id)).toHaveLength(2);

    const metrics = await (await fetch(h.app.metricsUrl)).text();
    expect(metrics).toMatch(/^retention_deleted_rows_total\{table="outbox"\} [1-9]/m);
    expect(metrics).toMatch(/^retention_deleted_rows_total\{table="webhook_events"\} [1-9]/m);
  });

  it('a partly paid invoice: an UnderPaid replayed after pruning (same amount) tells the chat nothing again', async () => {
    const chat = newGroup();
    const { remote, row } = await issueInvoice(h, chat, '/pay 10 bUSDT');
    h.smartypay.setStatus(remote.id, 'UnderPaid', '4');
    const captured = h.smartypay.webhookBody(remote.id, { eventId: `evt-${randomUUID()}` });
    expect(await postWebhook(captured)).toEqual({ status: 200, outcome: 'applied' });
    await settle(h.app);
    expect((await outboxRowsOf(h, row.id)).map((r) => r.kind)).toEqual(['new_card', 'underpaid_reply', 'card_closed']);
    const repliesBefore = botCalls(h, chat.id).length;

    offsetMs += 31 * DAY;
    await h.app.workers.retention.runOnce();
    expect(await outboxRowsOf(h, row.id)).toEqual([]);

    expect(await postWebhook(captured)).toEqual({ status: 200, outcome: 'stale' });
    await settle(h.app);
    expect(await h.db.select().from(outbox).where(eq(outbox.invoiceId, row.id))).toEqual([]);
    const [after] = await h.db.select().from(invoices).where(eq(invoices.id, row.id));
    expect([after?.status, after?.paidAmount]).toEqual(['UnderPaid', '4']);
    expect(botCalls(h, chat.id)).toHaveLength(repliesBefore);
  });
});
