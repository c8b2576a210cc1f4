import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { accessGrants, outbox, products } from '../../src/db/schema.js';
import { createAccessRenewal } from '../../src/notify/access-renewal.js';
import { useTestDatabase } from '../support/database.js';

// Renewal reminders on a real database: a sweep reads only grants with a reminder still to send for their end.

const HOUR = 3_600_000;
const testDb = useTestDatabase();
const at = new Date('2026-12-01T10:00:00Z');
let productId = 0;

beforeAll(async () => {
  const [product] = await testDb.handle.db
    .insert(products)
    .values({
      code: 'renew-test',
      merchantUserId: 1,
      title: 'Club',
      amount: '5',
      token: 'bUSDT',
      accessChatId: -100_600,
      accessPeriodSeconds: 30 * 86_400,
    })
    .returning();
  productId = product?.id ?? 0;
});

const renewal = () =>
  createAccessRenewal({ db: testDb.handle.db, outbox: { wake: () => {} }, now: () => at, reminderHours: [72, 24] });

describe('access renewal reminders', () => {
  it('120 grants ending soon whose reminders were all sent do not hide one still due', async () => {
    const soon = new Date(at.getTime() + 2 * HOUR);
    await testDb.handle.db.insert(accessGrants).values(
      Array.from({ length: 120 }, (_, i) => ({
        productId,
        userId: 10_000 + i,
        chatId: -100_600,
        endsAt: soon,
        remindedForEndsAt: soon,
        remindersSent: 2,
      })),
    );
    // Ends later than all of them, so it sorts after: no reminder sent for it yet.
    const [due] = await testDb.handle.db
      .insert(accessGrants)
      .values({ productId, userId: 20_000, chatId: -100_600, endsAt: new Date(at.getTime() + 3 * HOUR) })
      .returning();
    let wakes = 0;
    const renewal = createAccessRenewal({
      db: testDb.handle.db,
      outbox: { wake: () => wakes++ },
      now: () => at,
      reminderHours: [72, 24],
    });

    expect(await renewal.enqueueDueReminders()).toBe(1);
    const queued = await testDb.handle.db.select().from(outbox).where(eq(outbox.kind, 'access_renewal'));
    expect(queued.map((row) => row.chatId)).toEqual([20_000]);
    // Both of its reminders are due (3 days and 1 day before): the latest one stands for both.
    expect(queued[0]?.dedupeKey).toBe(`access:${due?.id}:renewal:${due?.endsAt?.getTime()}:2`);
    expect(wakes).toBe(1);
    // Its round is done now: the next sweep queues nothing.
    expect(await renewal.enqueueDueReminders()).toBe(0);
  });
});

describe('access renewal reminders, between rounds', () => {
  it('120 grants with their 72 h reminder sent and the 24 h one not yet due do not hide one whose 72 h one is', async () => {
    // Ending in 48 h: the 72 h reminder is past (sent), the 24 h one comes tomorrow.
    const between = new Date(at.getTime() + 48 * HOUR);
    await testDb.handle.db.insert(accessGrants).values(
      Array.from({ length: 120 }, (_, i) => ({
        productId,
        userId: 30_000 + i,
        chatId: -100_600,
        endsAt: between,
        remindedForEndsAt: between,
        remindersSent: 1,
      })),
    );
    const [due] = await testDb.handle.db
      .insert(accessGrants)
      .values({ productId, userId: 40_000, chatId: -100_600, endsAt: new Date(at.getTime() + 60 * HOUR) })
      .returning();
    const before = (await testDb.handle.db.select().from(outbox).where(eq(outbox.kind, 'access_renewal'))).length;
    expect(await renewal().enqueueDueReminders()).toBe(1);
    const queued = await testDb.handle.db.select().from(outbox).where(eq(outbox.kind, 'access_renewal'));
    expect(queued).toHaveLength(before + 1);
    expect(queued.at(-1)?.dedupeKey).toBe(`access:${due?.id}:renewal:${due?.endsAt?.getTime()}:1`);
  });
});
