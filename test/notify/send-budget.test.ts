import { describe, expect, it } from 'vitest';
import { sendBudget } from '../../src/db/schema.js';
import { createPacer } from '../../src/notify/pacing.js';
import { useTestDatabase } from '../support/database.js';

// The shared send budget (send_budget) on a real database, with the wall clock injected: a claim's tokens are stamped
// when it spends them, just before it commits and its messages leave, so a slow claim's messages are not counted as
// sent earlier than they are (two replicas under a webhook burst otherwise sent two claims' messages at once: 429s);
// the tokens left are counted up to that same instant, so the claim's own time still refills the bucket.

const testDb = useTestDatabase();

describe('send budget: tokens are stamped when a claim spends them', () => {
  it('a claim that took 100 ms earns the next claim nothing for that time', async () => {
    await testDb.handle.db.delete(sendBudget);
    let wall = 1_000_000;
    const pacer = createPacer(
      { perSecond: 27, burst: 2, privateChatIntervalMs: 0, groupChatIntervalMs: 0 },
      () => wall,
    );
    const at = new Date(wall);

    const first = await testDb.handle.db.transaction(async (tx) => {
      const budget = await pacer.open(tx, at, 20);
      wall += 100; // the claim's own queries, slowed down by load
      await budget.spend({ messages: budget.messages, edits: 0 }, []);
      return budget.messages;
    });
    expect(first).toBe(2);

    // 10 ms after the first claim committed: 0.27 of a token, not the 2.97 that 110 ms since its open would give.
    wall += 10;
    const second = await testDb.handle.db.transaction(async (tx) => {
      const budget = await pacer.open(tx, at, 20);
      return { messages: budget.messages, msUntilMessage: budget.msUntilMessage };
    });
    expect(second.messages).toBe(0);
    expect(second.msUntilMessage).toBe(Math.ceil(((1 - (10 / 1000) * 27) / 27) * 1000));

    // A second after the first claim's spend the bucket is full again (capped at the burst).
    wall += 990;
    const third = await testDb.handle.db.transaction(async (tx) => (await pacer.open(tx, at, 20)).messages);
    expect(third).toBe(2);
  });

  it('the time a claim took still refills the bucket: tokens left are counted up to the spend', async () => {
    await testDb.handle.db.delete(sendBudget);
    let wall = 3_000_000;
    const options = { perSecond: 27, burst: 2, privateChatIntervalMs: 0, groupChatIntervalMs: 0 };
    const pacer = createPacer(options, () => wall);
    const at = new Date(wall);
    // Empty the bucket, then let 1.08 tokens come back (40 ms: whole milliseconds, as the column stores them).
    await testDb.handle.db.transaction(async (tx) =>
      (await pacer.open(tx, at, 20)).spend({ messages: 2, edits: 0 }, []),
    );
    wall += 40;

    await testDb.handle.db.transaction(async (tx) => {
      const budget = await pacer.open(tx, at, 20);
      expect(budget.messages).toBe(1);
      wall += 20; // the claim's queries: 0.54 of a token more by the time it spends
      await budget.spend({ messages: 1, edits: 0 }, []);
    });
    const [row] = await testDb.handle.db.select().from(sendBudget).orderBy(sendBudget.id).limit(1);
    expect(row?.tokens).toBeCloseTo(1.08 + 0.54 - 1, 6);
    expect(row?.refilledAt.getTime()).toBe(wall);
  });

  it('how many a claim takes is decided at allowNow, late: a claim that took 40 ms from 1.08 tokens takes two', async () => {
    await testDb.handle.db.delete(sendBudget);
    let wall = 4_000_000;
    const options = { perSecond: 27, burst: 2, privateChatIntervalMs: 0, groupChatIntervalMs: 0 };
    const pacer = createPacer(options, () => wall);
    const at = new Date(wall);
    await testDb.handle.db.transaction(async (tx) =>
      (await pacer.open(tx, at, 20)).spend({ messages: 2, edits: 0 }, []),
    );
    wall += 40;

    await testDb.handle.db.transaction(async (tx) => {
      const budget = await pacer.open(tx, at, 20);
      expect(budget.messages).toBe(1);
      expect(budget.upTo.messages).toBe(2); // look for as many as the bucket can hold by then
      wall += 40; // 2.16 tokens by now, capped at the burst of 2
      const allowed = budget.allowNow();
      expect(allowed.messages).toBe(2);
      wall += 5; // the sends are recorded at the allowNow instant, not later
      await budget.spend({ messages: 2, edits: 0 }, []);
    });
    const [row] = await testDb.handle.db.select().from(sendBudget).orderBy(sendBudget.id).limit(1);
    expect(row?.tokens).toBe(0);
    expect(row?.refilledAt.getTime()).toBe(4_000_080);
  });

  it('an empty bucket at open looks for nothing', async () => {
    await testDb.handle.db.delete(sendBudget);
    const wall = 5_000_000;
    const pacer = createPacer(
      { perSecond: 27, burst: 2, privateChatIntervalMs: 0, groupChatIntervalMs: 0 },
      () => wall,
    );
    const at = new Date(wall);
    await testDb.handle.db.transaction(async (tx) =>
      (await pacer.open(tx, at, 20)).spend({ messages: 2, edits: 2 }, []),
    );
    const budget = await testDb.handle.db.transaction(async (tx) => pacer.open(tx, at, 20));
    expect(budget.upTo).toEqual({ messages: 0, edits: 0 });
  });

  it('never stamps earlier than a later reading another process left (time does not go back)', async () => {
    await testDb.handle.db.delete(sendBudget);
    let wall = 2_000_000;
    const options = { perSecond: 27, burst: 2, privateChatIntervalMs: 0, groupChatIntervalMs: 0 };
    const ahead = createPacer(options, () => wall + 500); // another process, its clock 500 ms ahead
    const behind = createPacer(options, () => wall);
    const at = new Date(wall);

    await testDb.handle.db.transaction(async (tx) => {
      const budget = await ahead.open(tx, at, 20);
      await budget.spend({ messages: 2, edits: 0 }, []);
    });
    wall += 400; // still before the other process's stamp
    await testDb.handle.db.transaction(async (tx) => {
      const budget = await behind.open(tx, at, 20);
      expect(budget.messages).toBe(0);
      await budget.spend({ messages: 0, edits: 1 }, []);
    });
    const rows = await testDb.handle.db.select().from(sendBudget);
    for (const row of rows) expect(row.refilledAt.getTime()).toBe(2_000_500);
  });
});
