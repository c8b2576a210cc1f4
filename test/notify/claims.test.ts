import { eq, inArray, sql } from 'drizzle-orm';
import { Api } from 'grammy';
import pino from 'pino';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chatThrottle, invoices, outbox, sendBudget } from '../../src/db/schema.js';
import type { NotificationKind } from '../../src/db/vocabulary.js';
import { createTranslator } from '../../src/i18n/index.js';
import { createOutboxClaims, type OutboxClaims } from '../../src/notify/claims.js';
import { createOutboxWorker } from '../../src/notify/outbox.js';
import { createPacer, type PacingOptions } from '../../src/notify/pacing.js';
import { TEST_DATABASE_URL, useTestDatabase } from '../support/database.js';
import { startFakeTelegram } from '../support/fake-telegram.js';

// How the outbox worker takes rows, on a real database and without the app: which rows a claim returns, in
// which order, what the send budget and chat pacing hold back, when a lapsed lease is taken again, and that
// a row locked elsewhere is skipped. Both clocks are injected: the domain clock (due times, chat pacing, the
// lease) and the wall clock the send budget refills on.

const testDb = useTestDatabase();
const T0 = new Date('2026-11-26T08:00:00Z').getTime();
let domainNow = T0;
let wallNow = T0;
const LEASE_MS = 30_000;
const PACING: PacingOptions = { perSecond: 10, burst: 10, privateChatIntervalMs: 1100, groupChatIntervalMs: 3100 };
let invoiceId = 0;

beforeAll(async () => {
  // Edits of a card are one at a time per invoice, so edit rows need an invoice to belong to.
  const [row] = await testDb.handle.db
    .insert(invoices)
    .values({
      smartyPayId: 'sp-claims',
      chatId: 1,
      notifyChatId: 1,
      payMessageId: 1,
      amount: '10',
      token: 'bUSDT',
      status: 'Paid',
      checkoutUrl: 'https://checkout.example/',
      expiresAt: new Date(T0 + 3_600_000),
    })
    .returning();
  invoiceId = row?.id ?? 0;
});
beforeEach(async () => {
  await testDb.handle.db.delete(outbox);
  await testDb.handle.db.delete(chatThrottle);
  await testDb.handle.db.delete(sendBudget);
  domainNow = T0;
  wallNow = T0;
});

/** A claimer as the worker builds one (its own pacer, as each process has). */
function claimer(pacing: Partial<PacingOptions> = {}, batchSize = 20): OutboxClaims {
  return createOutboxClaims({
    db: testDb.handle.db,
    pacer: createPacer({ ...PACING, ...pacing }, () => wallNow),
    now: () => new Date(domainNow),
    leaseMs: LEASE_MS,
    batchSize,
  });
}

let nextKey = 0;
/** A due notification for `chatId`, created `ageMs` before T0 (older rows are due earlier). */
async function enqueue(chatId: number, ageMs: number, kind: NotificationKind = 'paid_reply'): Promise<number> {
  nextKey += 1;
  const [row] = await testDb.handle.db
    .insert(outbox)
    .values({
      kind,
      dedupeKey: `test:${nextKey}`,
      invoiceId: kind.startsWith('card_') ? invoiceId : null,
      chatId,
      payload: { status: 'Paid', previousStatus: 'Created', paidAmount: null, paidToken: null },
      nextAttemptAt: new Date(T0 - ageMs),
      createdAt: new Date(T0 - ageMs),
    })
    .returning({ id: outbox.id });
  if (!row) throw new Error('no outbox row');
  return row.id;
}

const byNumber = (a: number, b: number) => a - b;
const ids = (claim: { rows: Array<{ id: number }> }) => claim.rows.map((row) => row.id);

describe('claim order', () => {
  it('takes the oldest row of each chat, one per chat, and leaves a chat’s later rows for later', async () => {
    const a1 = await enqueue(101, 5_000);
    const a2 = await enqueue(101, 4_000);
    const b1 = await enqueue(202, 3_000);
    const c1 = await enqueue(303, 1_000);
    const claim = await claimer().claim();
    expect(ids(claim).sort(byNumber)).toEqual([a1, b1, c1]);
    const [a2Row] = await testDb.handle.db.select().from(outbox).where(eq(outbox.id, a2));
    expect(a2Row?.status).toBe('pending');
    expect(claim.rows.every((row) => row.status === 'sending' && row.attempts === 1)).toBe(true);
    expect(claim.rows[0]?.leaseUntil?.getTime()).toBe(T0 + LEASE_MS);
  });

  it('a busy chat does not starve the others: its backlog waits for its pacing, a quiet chat goes at once', async () => {
    const backlog: number[] = [];
    for (let i = 0; i < 30; i++) backlog.push(await enqueue(101, 60_000 - i));
    const quiet = await enqueue(202, 1_000);
    const claims = claimer({ burst: 2 });
    // At the same instant: the busy chat's oldest row and the quiet chat's row, none more of the backlog.
    const first = ids(await claims.claim());
    wallNow += 1_000;
    const second = ids(await claims.claim());
    expect([...first, ...second].sort(byNumber)).toEqual([backlog[0], quiet]);
    // A third chat is not held back by the backlog either; the busy chat's next row waits for its 1.1 s.
    const third = await enqueue(303, 0);
    wallNow += 1_000;
    domainNow += 500;
    expect(ids(await claims.claim())).toEqual([third]);
    domainNow += 600;
    wallNow += 1_000;
    expect(ids(await claims.claim())).toEqual([backlog[1]]);
  });

  it('takes nothing that is not due yet', async () => {
    await enqueue(101, -1_000);
    const claims = claimer();
    expect(ids(await claims.claim())).toEqual([]);
    expect(await claims.msUntilNextDue()).toBe(1_000);
    domainNow += 1_000;
    expect(ids(await claims.claim())).toHaveLength(1);
  });
});

describe('send budget', () => {
  it('takes no more new messages than the budget holds, says when a token comes back, and refills on the wall clock', async () => {
    const rows: number[] = [];
    for (let chat = 1; chat <= 5; chat++) rows.push(await enqueue(1000 + chat, 10_000 - chat));
    const claims = claimer({ perSecond: 2, burst: 2 });
    expect(ids(await claims.claim())).toEqual(rows.slice(0, 2));
    const empty = await claims.claim();
    expect(empty.rows).toEqual([]);
    expect(empty.retryInMs).toBe(500);
    // The domain clock does not refill it: Telegram counts in physical time (20 s: inside the lease).
    domainNow += 20_000;
    expect(ids(await claims.claim())).toEqual([]);
    wallNow += 500;
    expect(ids(await claims.claim())).toEqual(rows.slice(2, 3));
    wallNow += 10_000; // idle time refills no more than the burst
    expect(ids(await claims.claim())).toEqual(rows.slice(3, 5));
  });

  it('is shared by every claimer on the database', async () => {
    for (let chat = 1; chat <= 4; chat++) await enqueue(1000 + chat, 10_000 - chat);
    const first = claimer({ perSecond: 1, burst: 2 });
    const second = claimer({ perSecond: 1, burst: 2 });
    expect(ids(await first.claim())).toHaveLength(2);
    expect(ids(await second.claim())).toHaveLength(0);
  });

  it('edits have a bucket of their own: an empty message budget does not hold back a card edit', async () => {
    await enqueue(101, 3_000);
    await enqueue(202, 2_000);
    const edit = await enqueue(303, 1_000, 'card_paid');
    const claims = claimer({ perSecond: 1, burst: 1 });
    const claim = await claims.claim();
    expect(claim.rows.map((row) => row.kind).sort()).toEqual(['card_paid', 'paid_reply']);
    expect(ids(claim)).toContain(edit);
    expect(ids(await claims.claim())).toEqual([]);
  });
});

describe('chat pacing', () => {
  it('a private chat gets its next message 1.1 s after the last, a group 3.1 s', async () => {
    const private1 = await enqueue(101, 2_000);
    const private2 = await enqueue(101, 1_000);
    const group1 = await enqueue(-100_202, 2_000);
    const group2 = await enqueue(-100_202, 1_000);
    const claims = claimer();
    expect(ids(await claims.claim()).sort(byNumber)).toEqual([private1, group1]);
    const [throttle] = await testDb.handle.db.select().from(chatThrottle).where(eq(chatThrottle.chatId, 101));
    expect(throttle?.nextAllowedAt.getTime()).toBe(T0 + 1_100);
    domainNow = T0 + 1_099;
    expect(ids(await claims.claim())).toEqual([]);
    domainNow = T0 + 1_100;
    expect(ids(await claims.claim())).toEqual([private2]);
    domainNow = T0 + 3_099;
    expect(ids(await claims.claim())).toEqual([]);
    domainNow = T0 + 3_100;
    expect(ids(await claims.claim())).toEqual([group2]);
  });

  it('an edit is not a new message: it is not paced by the chat, and does not pace it', async () => {
    const message = await enqueue(101, 2_000);
    const edit = await enqueue(101, 1_000, 'card_paid');
    const claims = claimer();
    expect(ids(await claims.claim()).sort(byNumber)).toEqual([message, edit]);
    const throttles = await testDb.handle.db.select().from(chatThrottle);
    expect(throttles.map((t) => t.chatId)).toEqual([101]);
  });

  it('no edit of a card while another edit of it is being sent, so the last one sent shows the final state', async () => {
    const first = await enqueue(101, 2_000, 'card_paid');
    const claims = claimer();
    expect(ids(await claims.claim())).toEqual([first]);
    const second = await enqueue(101, 1_000, 'card_linked');
    expect(ids(await claims.claim())).toEqual([]);
    await testDb.handle.db.update(outbox).set({ status: 'sent', leaseUntil: null }).where(eq(outbox.id, first));
    expect(ids(await claims.claim())).toEqual([second]);
  });

  it('two pending edits of one card: one claim takes only the older, the next claim the other', async () => {
    const older = await enqueue(101, 2_000, 'card_paid');
    const newer = await enqueue(101, 1_000, 'card_linked');
    const claims = claimer();
    expect(ids(await claims.claim())).toEqual([older]);
    await testDb.handle.db.update(outbox).set({ status: 'sent', leaseUntil: null }).where(eq(outbox.id, older));
    expect(ids(await claims.claim())).toEqual([newer]);
  });
});

describe('leases', () => {
  it('a row whose worker died is taken again once its lease lapsed, by another worker', async () => {
    const row = await enqueue(101, 1_000);
    expect(ids(await claimer().claim())).toEqual([row]);
    const other = claimer();
    domainNow = T0 + LEASE_MS - 1;
    wallNow = domainNow;
    expect(ids(await other.claim())).toEqual([]);
    expect(await other.msUntilNextDue()).toBe(1);
    domainNow = T0 + LEASE_MS;
    wallNow = domainNow;
    const again = await other.claim();
    expect(ids(again)).toEqual([row]);
    expect(again.rows[0]?.attempts).toBe(2);
    expect(again.rows[0]?.leaseUntil?.getTime()).toBe(T0 + 2 * LEASE_MS);
  });
});

describe('concurrent claimers', () => {
  it('two claimers at once never take the same row', async () => {
    const all: number[] = [];
    for (let chat = 1; chat <= 12; chat++) all.push(await enqueue(1000 + chat, 20_000 - chat));
    const [a, b] = await Promise.all([claimer({ burst: 20 }, 6).claim(), claimer({ burst: 20 }, 6).claim()]);
    const taken = [...ids(a), ...ids(b)];
    expect(new Set(taken).size).toBe(taken.length);
    expect(taken.sort(byNumber)).toEqual(all);
  });

  // PGlite is one connection: a second transaction waits for the first instead of running beside it.
  it.skipIf(!TEST_DATABASE_URL)('skips a row another transaction holds locked, without waiting for it', async () => {
    const locked = await enqueue(101, 2_000);
    const free = await enqueue(202, 1_000);
    const claimed = await testDb.handle.db.transaction(async (tx) => {
      await tx.select().from(outbox).where(eq(outbox.id, locked)).for('update');
      return claimer().claim();
    });
    expect(ids(claimed)).toEqual([free]);
    const rows = await testDb.handle.db
      .select({ id: outbox.id, status: outbox.status })
      .from(outbox)
      .where(inArray(outbox.id, [locked, free]))
      .orderBy(outbox.id);
    expect(rows).toEqual([
      { id: locked, status: 'pending' },
      { id: free, status: 'sending' },
    ]);
    // The skipped row is still due: the next claim takes it.
    expect(ids(await claimer().claim())).toEqual([locked]);
  });
});

describe('isIdle', () => {
  it('is false while a row is due or being sent, true once every row is done or due later', async () => {
    const claims = claimer();
    expect(await claims.isIdle()).toBe(true);
    const row = await enqueue(101, 1_000);
    expect(await claims.isIdle()).toBe(false);
    await claims.claim();
    expect(await claims.isIdle()).toBe(false); // being sent
    await testDb.handle.db
      .update(outbox)
      .set({ status: 'pending', nextAttemptAt: new Date(T0 + 5_000) })
      .where(eq(outbox.id, row));
    expect(await claims.isIdle()).toBe(true); // a retry due later
    await testDb.handle.db.execute(sql`update outbox set status = 'sent'`);
    expect(await claims.isIdle()).toBe(true);
  });
});

describe('the worker’s drain (what tests wait for instead of sleeping)', () => {
  it('sends until nothing is due, waiting out chat pacing; a row due later is left alone', async () => {
    const telegram = await startFakeTelegram();
    try {
      const worker = createOutboxWorker({
        db: testDb.handle.db,
        api: new Api(telegram.token, { apiRoot: telegram.apiRoot }),
        logger: pino({ level: 'silent' }),
        translator: createTranslator({ localeOf: async () => 'en' }),
        pacing: { ...PACING, privateChatIntervalMs: 200 },
      });
      const rows = [await enqueue(1, 3_000), await enqueue(1, 2_000), await enqueue(1, 1_000)];
      await testDb.handle.db
        .update(outbox)
        .set({ invoiceId, nextAttemptAt: new Date(Date.now() - 1_000) })
        .where(inArray(outbox.id, rows));
      const later = await enqueue(1, 0);
      await testDb.handle.db
        .update(outbox)
        .set({ invoiceId, nextAttemptAt: new Date(Date.now() + 3_600_000) })
        .where(eq(outbox.id, later));
      const started = Date.now();
      await worker.drain();
      // Three messages into one private chat, 200 ms apart: the drain waited for the paced ones.
      expect(Date.now() - started).toBeGreaterThanOrEqual(400);
      expect(telegram.sentMessages().filter((m) => m.chatId === 1)).toHaveLength(3);
      const states = await testDb.handle.db
        .select({ id: outbox.id, status: outbox.status })
        .from(outbox)
        .orderBy(outbox.id);
      expect(states).toEqual([...rows.map((id) => ({ id, status: 'sent' })), { id: later, status: 'pending' }]);
    } finally {
      await telegram.close();
    }
  });
});
