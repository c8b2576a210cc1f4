import { inArray } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../../src/db/client.js';
import { chatThrottle, outbox, sendBudget } from '../../src/db/schema.js';
import { createOutboxClaims } from '../../src/notify/claims.js';
import { createPacer } from '../../src/notify/pacing.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

// Under a burst the app's event loop is busy and every round trip of a claim waits a turn of it, so the claim is
// kept to a fixed, small number of statements (issue 11: eleven made the first seconds of a burst crawl). Counted
// through the database handle's onQuery hook, which sees every statement the app sends; BEGIN and COMMIT are left
// out (postgres.js reports them, PGlite's transactions do not go through drizzle's logger).

let database: TestDatabase;
let handle: DatabaseHandle;
let recorded: string[] = [];
const T0 = new Date('2026-11-26T08:00:00Z').getTime();
let wallNow = T0;
const PACING = { perSecond: 10, burst: 2, privateChatIntervalMs: 1100, groupChatIntervalMs: 3100 };

beforeAll(async () => {
  database = await createTestDatabase();
  handle = await openDatabase({
    url: database.url,
    dataDir: database.dataDir,
    onQuery: (text) => {
      if (!/^\s*(begin|commit)\b/i.test(text)) recorded.push(text);
    },
  });
});
afterAll(async () => {
  await handle?.close();
  await database?.drop();
});
beforeEach(async () => {
  await handle.db.delete(outbox);
  await handle.db.delete(sendBudget);
  await handle.db.delete(chatThrottle);
  wallNow = T0;
});

function claimer() {
  return createOutboxClaims({
    db: handle.db,
    pacer: createPacer(
      { perSecond: 10, burst: 2, privateChatIntervalMs: 1100, groupChatIntervalMs: 3100 },
      () => wallNow,
    ),
    now: () => new Date(T0),
    leaseMs: 30_000,
    batchSize: 20,
  });
}

async function enqueue(count: number): Promise<void> {
  await handle.db.insert(outbox).values(
    Array.from({ length: count }, (_, i) => ({
      kind: 'paid_reply' as const,
      dedupeKey: `trips:${i}`,
      chatId: 100 + i,
      payload: { status: 'Paid' as const, previousStatus: 'Created' as const, paidAmount: null, paidToken: null },
      nextAttemptAt: new Date(T0 - 10_000 + i),
    })),
  );
}

/** The statements `work` sent, with their texts when the count is not the one expected. */
async function statementsOf(work: () => Promise<unknown>): Promise<string[]> {
  recorded = [];
  await work();
  return recorded.map((text) => text.replace(/\s+/g, ' ').trim().slice(0, 60));
}

describe('statements per claim', () => {
  it('a claim that takes rows: lock the budget (and free lapsed leases), read the due rows, take them', async () => {
    await enqueue(6);
    const claims = claimer();
    // The first claim of a process also makes sure the budget rows exist.
    let taken = 0;
    const first = await statementsOf(async () => {
      taken = (await claims.claim()).rows.length;
    });
    expect(taken).toBe(2);
    expect(first).toHaveLength(4);
    wallNow += 1_000;
    const next = await statementsOf(async () => {
      taken = (await claims.claim()).rows.length;
    });
    expect(taken).toBe(2);
    expect(next).toHaveLength(3);
  });

  it('nothing due: two statements; both buckets empty: one', async () => {
    const claims = claimer();
    expect(await statementsOf(() => claims.claim())).toHaveLength(3); // seeds the budget, lock, due
    expect(await statementsOf(() => claims.claim())).toHaveLength(2);
    // Another process spent both buckets (new messages and edits): nothing to look for.
    await handle.db.transaction(async (tx) =>
      (await createPacer(PACING, () => wallNow).open(tx, new Date(T0), 20)).spend({ messages: 2, edits: 2 }, []),
    );
    await enqueue(2);
    const empty = await statementsOf(async () => expect((await claims.claim()).retryInMs).toBe(100));
    expect(empty).toHaveLength(1);
  });

  it('the rows a claim returns are the rows as stored, typed as the schema says (both drivers)', async () => {
    await enqueue(2);
    const claimed = (await claimer().claim()).rows;
    expect(claimed).toHaveLength(2);
    const stored = await handle.db
      .select()
      .from(outbox)
      .where(
        inArray(
          outbox.id,
          claimed.map((row) => row.id),
        ),
      )
      .orderBy(outbox.id);
    expect(claimed).toEqual(stored);
    expect(claimed[0]?.leaseUntil).toBeInstanceOf(Date);
    expect(typeof claimed[0]?.chatId).toBe('number');
  });
});
