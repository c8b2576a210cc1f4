import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { createIssueLimit, issuerKey } from '../../src/invoices/issue-limit.js';
import { createRateQuota } from '../../src/invoices/quota.js';
import { createTestClock } from '../support/clock.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

// The issue limits on a real database (Postgres with TEST_DATABASE_URL, else PGlite): one conditional
// upsert per unit, a sliding one-minute window, the per-issuer and the global limit together.

let database: TestDatabase;
let handle: Awaited<ReturnType<typeof openDatabase>>;
beforeAll(async () => {
  database = await createTestDatabase();
  handle = await openDatabase({ url: database.url, dataDir: database.dataDir, poolMax: 20 });
});
afterAll(async () => {
  await handle?.close();
  await database?.drop();
});

// A minute boundary plus `ms`, so the window arithmetic is exact.
const minute = (n: number, ms = 0) => Date.UTC(2026, 10, 26, 10, n) + ms;

describe('rate quota', () => {
  it('50 takes at once get exactly the limit through', async () => {
    const quota = createRateQuota({ query: handle.query, now: createTestClock(minute(0, 5_000)).now });
    const taken = await Promise.all(Array.from({ length: 50 }, () => quota.take('burst', 10)));
    expect(taken.filter(Boolean)).toHaveLength(10);
    expect(await quota.isFull('burst', 10)).toBe(true);
    expect(await quota.isFull('burst', 11)).toBe(false);
  });

  it('slides: the previous minute counts for the part of it still within the last 60 s', async () => {
    const clock = createTestClock(minute(1, 50_000));
    const quota = createRateQuota({ query: handle.query, now: clock.now });
    for (let i = 0; i < 4; i++) expect(await quota.take('slide', 4)).toBeDefined();
    expect(await quota.take('slide', 4)).toBeUndefined();
    // 15 s later, just past the boundary: 4 × 45/60 = 3 still count, one unit is free. A fixed window
    // would have let 4 more through right here.
    clock.advance(15_000);
    expect(await quota.take('slide', 4)).toBeDefined();
    expect(await quota.take('slide', 4)).toBeUndefined();
    // Half a minute on, 4 × 15/60 = 1 counts, plus the 1 taken: 2 more.
    clock.advance(30_000);
    expect(await quota.take('slide', 4)).toBeDefined();
    expect(await quota.take('slide', 4)).toBeDefined();
    expect(await quota.take('slide', 4)).toBeUndefined();
  });

  it('a released unit can be taken again', async () => {
    const quota = createRateQuota({ query: handle.query, now: createTestClock(minute(5)).now });
    const ticket = await quota.take('release', 1);
    expect(ticket).toBeDefined();
    expect(await quota.take('release', 1)).toBeUndefined();
    if (ticket) await quota.release(ticket);
    expect(await quota.take('release', 1)).toBeDefined();
  });

  it('deletes windows a few minutes old as it goes', async () => {
    const clock = createTestClock(minute(20));
    const quota = createRateQuota({ query: handle.query, now: clock.now });
    await quota.take('old', 5);
    clock.advance(4 * 60_000);
    await quota.take('new', 5);
    const rows = await handle.query('select key from rate_quota where key in ($1, $2)', ['old', 'new']);
    expect(rows.map((row) => row.key)).toEqual(['new']);
  });
});

describe('createIssueLimit', () => {
  function limit(perMinute: number, globalPerMinute: number, at: number) {
    const quota = createRateQuota({ query: handle.query, now: createTestClock(at).now });
    return createIssueLimit({ quota, perMinute, globalPerMinute });
  }

  it('refuses an issuer over their limit, and everyone over the global cap', async () => {
    const issue = limit(2, 3, minute(30));
    expect(await issue.take({ userId: 1 })).toBeUndefined();
    expect(await issue.take({ userId: 1 })).toBeUndefined();
    expect(await issue.take({ userId: 1 })).toBe('user');
    expect(await issue.refusal({ userId: 1 })).toBe('user');
    expect(await issue.take({ userId: 2 })).toBeUndefined();
    expect(await issue.refusal({ userId: 3 })).toBe('global');
    expect(await issue.take({ userId: 3 })).toBe('global');
    // The global refusal gave user 3's unit back: after the cap is lifted, user 3 still has 2.
    const lifted = limit(2, 0, minute(30));
    expect(await lifted.take({ userId: 3 })).toBeUndefined();
    expect(await lifted.take({ userId: 3 })).toBeUndefined();
    expect(await lifted.take({ userId: 3 })).toBe('user');
  });

  it('0 turns a limit off; an issuer without a user id counts only globally', async () => {
    const off = limit(0, 0, minute(40));
    for (let i = 0; i < 20; i++) expect(await off.take({ userId: 7 })).toBeUndefined();
    const anonymous = limit(1, 2, minute(41));
    expect(await anonymous.take({})).toBeUndefined();
    expect(await anonymous.take({})).toBeUndefined();
    expect(await anonymous.take({})).toBe('global');
  });

  it('counts an anonymous admin by the chat they write as, not the shared bot account', () => {
    expect(issuerKey({ userId: 1_087_968_824, senderChatId: -100_1 })).toBe('chat:-1001');
    expect(issuerKey({ userId: 1_087_968_824, senderChatId: -100_2 })).toBe('chat:-1002');
    expect(issuerKey({ userId: 42 })).toBe('user:42');
    expect(issuerKey({})).toBeUndefined();
  });
});
