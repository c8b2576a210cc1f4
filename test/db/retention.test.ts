import { eq, sql } from 'drizzle-orm';
import pino from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase, type Query } from '../../src/db/client.js';
import { createRetention, type RetentionTable, retentionBatchStatement } from '../../src/db/retention.js';
import {
  chatInvoiceHours,
  chatThrottle,
  invoices,
  outbox,
  telegramUpdates,
  webhookDuplicates,
  webhookEvents,
} from '../../src/db/schema.js';
import type { OutboxStatus } from '../../src/db/vocabulary.js';
import { createMetrics } from '../../src/metrics.js';
import { useTestDatabase } from '../support/database.js';

// Data retention on a real database (Postgres with TEST_DATABASE_URL, else PGlite), with an injected clock: which
// rows go and which stay, batches, the lock that keeps it to one process, and an index behind every delete.

const DAY = 24 * 60 * 60_000;
const NOW = new Date('2027-03-01T12:00:00Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY);
const logger = pino({ level: 'silent' });

const testDb = useTestDatabase();
let invoiceId = 0;

beforeEach(async () => {
  for (const table of [outbox, webhookEvents, webhookDuplicates, telegramUpdates, chatThrottle, invoices])
    await testDb.handle.db.delete(table);
  const [row] = await testDb.handle.db
    .insert(invoices)
    .values({
      smartyPayId: `sp-retention-${Date.now()}`,
      chatId: -100,
      notifyChatId: -100,
      payMessageId: 1,
      amount: '10',
      token: 'bUSDT',
      status: 'Paid',
      checkoutUrl: 'https://checkout.example/',
      createdAt: daysAgo(400),
      expiresAt: daysAgo(399),
    })
    .returning();
  invoiceId = row?.id ?? 0;
});

let outboxKey = 0;
async function addOutbox(status: OutboxStatus, createdAt: Date) {
  outboxKey += 1;
  await testDb.handle.db.insert(outbox).values({
    dedupeKey: `${invoiceId}:paid_reply:${outboxKey}`,
    kind: 'paid_reply',
    invoiceId,
    chatId: -100,
    payload: { status: 'Paid', previousStatus: 'Created', paidAmount: '10', paidToken: 'bUSDT' },
    status,
    createdAt,
    nextAttemptAt: createdAt,
  });
  return `${invoiceId}:paid_reply:${outboxKey}`;
}

async function addEvent(key: string, receivedAt: Date) {
  await testDb.handle.db.insert(webhookEvents).values({
    dedupeKey: key,
    smartyPayInvoiceId: 'sp',
    status: 'Paid',
    outcome: 'applied',
    rawPayload: '{}',
    receivedAt,
  });
}

const count = async (table: typeof outbox | typeof webhookEvents | typeof telegramUpdates | typeof chatThrottle) =>
  (await testDb.handle.db.select({ n: sql<number>`count(*)::int` }).from(table))[0]?.n;

describe('data retention', () => {
  it('deletes what is past its time and keeps everything else, invoices always', async () => {
    await testDb.handle.db.insert(telegramUpdates).values([
      { updateId: 1, receivedAt: daysAgo(8) },
      { updateId: 2, receivedAt: daysAgo(6) },
    ]);
    const oldSent = await addOutbox('sent', daysAgo(91));
    const oldFailed = await addOutbox('failed', daysAgo(200));
    const oldSkipped = await addOutbox('skipped', daysAgo(91));
    const oldPending = await addOutbox('pending', daysAgo(300));
    const oldSending = await addOutbox('sending', daysAgo(300));
    const recentSent = await addOutbox('sent', daysAgo(89));
    await addEvent('old', daysAgo(91));
    await addEvent('recent', daysAgo(89));
    await testDb.handle.db.insert(webhookDuplicates).values([
      {
        dedupeKey: 'old',
        smartyPayInvoiceId: 'sp',
        status: 'Paid',
        firstReceivedAt: daysAgo(95),
        lastReceivedAt: daysAgo(91),
      },
      // Repeated until recently: kept, however old its first repeat.
      {
        dedupeKey: 'recent',
        smartyPayInvoiceId: 'sp',
        status: 'Paid',
        firstReceivedAt: daysAgo(95),
        lastReceivedAt: daysAgo(89),
      },
    ]);
    await testDb.handle.db.insert(chatThrottle).values([
      { chatId: 1, nextAllowedAt: new Date(NOW.getTime() - 1) },
      { chatId: 2, nextAllowedAt: new Date(NOW.getTime() + 1_000) },
    ]);
    // /stats' hours: one 9 days back and one 7 days back (the seeded invoice's own hour set aside).
    await testDb.handle.db.delete(chatInvoiceHours);
    const hour = (daysBack: number) => ({
      chatId: -42,
      hour: new Date(Math.floor(daysAgo(daysBack).getTime() / 3_600_000) * 3_600_000),
      status: 'Paid' as const,
      token: 'bUSDT',
      paidToken: 'bUSDT',
      invoices: 1,
      amount: '1',
      reportedPaid: '1',
      reported: 1,
      unreportedAmount: '0',
    });
    await testDb.handle.db.insert(chatInvoiceHours).values([hour(9), hour(7)]);
    const metrics = createMetrics();
    const retention = createRetention({ database: testDb.handle, logger, now: () => NOW, retentionDays: 90, metrics });

    expect(await retention.runOnce()).toEqual({
      outcome: 'done',
      deleted: {
        telegram_updates: 1,
        outbox: 3,
        webhook_events: 1,
        webhook_duplicates: 1,
        chat_throttle: 1,
        chat_invoice_hours: 1,
      },
    });
    const hoursLeft = await testDb.handle.db.select().from(chatInvoiceHours);
    expect(hoursLeft.map((row) => row.hour)).toEqual([hour(7).hour]);

    expect((await testDb.handle.db.select().from(telegramUpdates)).map((row) => row.updateId)).toEqual([2]);
    const left = (await testDb.handle.db.select().from(outbox)).map((row) => row.dedupeKey).sort();
    expect(left).toEqual([oldPending, oldSending, recentSent].sort());
    expect(left).not.toContain(oldSent);
    expect(left).not.toContain(oldFailed);
    expect(left).not.toContain(oldSkipped);
    expect((await testDb.handle.db.select().from(webhookEvents)).map((row) => row.dedupeKey)).toEqual(['recent']);
    expect((await testDb.handle.db.select().from(webhookDuplicates)).map((row) => row.dedupeKey)).toEqual(['recent']);
    expect((await testDb.handle.db.select().from(chatThrottle)).map((row) => row.chatId)).toEqual([2]);
    expect(
      await testDb.handle.db.select({ id: invoices.id }).from(invoices).where(eq(invoices.id, invoiceId)),
    ).toHaveLength(1);

    const exposition = await metrics.registry.metrics();
    expect(exposition).toContain('retention_deleted_rows_total{table="outbox"} 3');
    expect(exposition).toContain('retention_deleted_rows_total{table="webhook_events"} 1');
    expect(exposition).toContain('retention_runs_total{outcome="done"} 1');

    // Nothing more is due: a second run deletes nothing.
    const again = await retention.runOnce();
    expect(again.outcome === 'done' && Object.values(again.deleted)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('with DATA_RETENTION_DAYS=0 keeps outbox rows and webhook events forever; the short-lived tables still go', async () => {
    await testDb.handle.db.insert(telegramUpdates).values({ updateId: 3, receivedAt: daysAgo(30) });
    await addOutbox('sent', daysAgo(3_000));
    await addEvent('ancient', daysAgo(3_000));
    await testDb.handle.db.delete(chatInvoiceHours); // the seeded invoice's hour, whose age follows the real clock
    const retention = createRetention({ database: testDb.handle, logger, now: () => NOW, retentionDays: 0 });

    expect(await retention.runOnce()).toEqual({
      outcome: 'done',
      deleted: {
        telegram_updates: 1,
        outbox: 0,
        webhook_events: 0,
        webhook_duplicates: 0,
        chat_throttle: 0,
        chat_invoice_hours: 0,
      },
    });
    expect([await count(outbox), await count(webhookEvents)]).toEqual([1, 1]);
  });

  it('deletes in batches of at most batchSize rows, one statement each, until a batch comes back short', async () => {
    for (let i = 0; i < 5; i++) await addOutbox('sent', daysAgo(100 + i));
    const statements: string[] = [];
    const counting: Pick<DatabaseHandle, 'session'> = {
      session: (fn) =>
        testDb.handle.session((query) =>
          fn((text, params) => {
            statements.push(text);
            return query(text, params);
          }),
        ),
    };
    const retention = createRetention({
      database: counting,
      logger,
      now: () => NOW,
      retentionDays: 90,
      batchSize: 2,
      pauseMs: 0,
    });

    const result = await retention.runOnce();
    expect(result.outcome === 'done' && result.deleted.outbox).toBe(5);
    // 2 + 2 + 1: the short batch ends the table.
    expect(statements.filter((text) => text.includes('delete from outbox'))).toHaveLength(3);
    expect(await count(outbox)).toBe(0);
  });

  it('stopped during a run, ends after the batch in flight', async () => {
    for (let i = 0; i < 30; i++) await addOutbox('sent', daysAgo(100));
    let batches = 0;
    let stopAfterFirst: (() => void) | undefined;
    const firstBatch = new Promise<void>((resolve) => {
      stopAfterFirst = resolve;
    });
    const observed: Pick<DatabaseHandle, 'session'> = {
      session: (fn) =>
        testDb.handle.session((query) =>
          fn(async (text, params) => {
            const rows = await query(text, params);
            if (text.includes('delete from outbox') && ++batches === 1) stopAfterFirst?.();
            return rows;
          }),
        ),
    };
    const retention = createRetention({
      database: observed,
      logger,
      now: () => NOW,
      retentionDays: 90,
      batchSize: 1,
      pauseMs: 20,
    });

    const run = retention.runOnce();
    await firstBatch;
    await retention.stop();
    const result = await run;
    expect(result.outcome === 'done' && result.deleted.outbox).toBeLessThan(30);
    expect(await count(outbox)).toBeGreaterThan(0);
  });

  it('runs in one process at a time: while another session holds the lock, a run deletes nothing', async () => {
    await addOutbox('sent', daysAgo(100));
    const metrics = createMetrics();
    const retention = createRetention({ database: testDb.handle, logger, now: () => NOW, retentionDays: 90, metrics });
    if (testDb.handle.driver === 'pglite') {
      // One connection, one process: an advisory lock is re-entrant within its session, so "another process" cannot
      // exist. Two Postgres processes are the case this is for.
      expect((await retention.runOnce()).outcome).toBe('done');
      return;
    }
    const other = await openDatabase({ url: testDb.database.url, dataDir: testDb.database.dataDir, poolMax: 1 });
    try {
      await other.session(async (query: Query) => {
        const [taken] = await query('select pg_try_advisory_lock(7302114::bigint) as locked', []);
        expect(taken?.locked).toBe(true);
        expect(await retention.runOnce()).toEqual({ outcome: 'busy' });
        expect(await count(outbox)).toBe(1);
        await query('select pg_advisory_unlock(7302114::bigint)', []);
      });
    } finally {
      await other.close();
    }
    expect(await metrics.registry.metrics()).toContain('retention_runs_total{outcome="busy"} 1');
    // Released, and released again by our own run: the next one prunes.
    expect(await retention.runOnce()).toMatchObject({ outcome: 'done', deleted: { outbox: 1 } });
  });

  it('every delete but chat_throttle walks an index (so a years-old table is not scanned per batch)', async () => {
    const indexes: Record<Exclude<RetentionTable, 'chat_throttle'>, string> = {
      telegram_updates: 'telegram_updates_received_idx',
      outbox: 'outbox_finished_idx',
      webhook_events: 'webhook_events_received_idx',
      webhook_duplicates: 'webhook_duplicates_received_idx',
      chat_invoice_hours: 'chat_invoice_hours_hour_idx',
    };
    await testDb.handle.session(async (query) => {
      await query('set enable_seqscan = off', []);
      try {
        for (const [table, index] of Object.entries(indexes) as Array<[RetentionTable, string]>) {
          const text = retentionBatchStatement(table)
            .replace('$1::timestamptz', `'${NOW.toISOString()}'::timestamptz`)
            .replace('$2::int', '5000');
          const plan = (await query(`explain ${text}`, [])).map((row) => String(Object.values(row)[0])).join('\n');
          expect(plan, table).toContain(index);
        }
      } finally {
        await query('reset enable_seqscan', []);
      }
    });
  });
});
