import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../../src/db/client.js';
import { accessGrants, outbox, products } from '../../src/db/schema.js';
import { appEnv, appStarter } from '../support/app-process.js';
import { createTestDatabase, TEST_DATABASE_URL } from '../support/database.js';
import { startFakeSmartyPay } from '../support/fake-smartypay.js';
import { startFakeTelegram } from '../support/fake-telegram.js';
import { MERCHANT, waitUntil } from '../support/flows.js';

// Paid access's lapse across replicas (issue 16): two app processes (as `npm start` runs them) on one Postgres, both
// sweeping every 200 ms, with one of them restarted in the middle and one Telegram call failing. Every lapsed member is
// banned once, unbanned (again after the failure), told once; an administrator is never touched. Only what Telegram
// and the database show is asserted. Postgres only: PGlite is one process's database.

const CHANNEL = -1_004_242_424_242;
const FIRST_USER = 3_100_000;
/** Two sweeps' batches (20 each) and more: the replicas' claims overlap in time. */
const N = 45;
const ADMIN = FIRST_USER + N;

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

/** Starts the app; a test that fails midway still leaves no process behind. */
const start = appStarter((step) => cleanups.push(step));

describe.skipIf(!TEST_DATABASE_URL)('paid access with two replicas on one Postgres', () => {
  it('lapsed members are removed exactly once, told once, across a restart and a failed unban; admins stay', async () => {
    const telegram = await startFakeTelegram();
    const smartypay = await startFakeSmartyPay();
    const database = await createTestDatabase();
    cleanups.push(
      () => database.drop(),
      () => smartypay.close(),
      () => telegram.close(),
    );
    // Migrations from one opener first; the handle then seeds and watches the rows.
    const observer: DatabaseHandle = await openDatabase({ url: database.url, dataDir: database.dataDir, poolMax: 2 });
    cleanups.push(() => observer.close());

    telegram.addChat({ id: CHANNEL, type: 'channel', title: 'Replicated club' });
    telegram.setMember(CHANNEL, telegram.botInfo.id, 'administrator', {
      can_invite_users: true,
      can_restrict_members: true,
    });
    const [product] = await observer.db
      .insert(products)
      .values({
        code: 'replicas_club',
        merchantUserId: MERCHANT.id,
        title: 'Club',
        amount: '5',
        token: 'bUSDT',
        accessChatId: CHANNEL,
        accessChatTitle: 'Replicated club',
        accessPeriodSeconds: 120,
      })
      .returning();
    const users = Array.from({ length: N + 1 }, (_, i) => FIRST_USER + i);
    const ended = new Date(Date.now() - 60_000);
    await observer.db
      .insert(accessGrants)
      .values(users.map((userId) => ({ productId: product?.id ?? 0, userId, chatId: CHANNEL, endsAt: ended })));
    for (const userId of users) telegram.setMember(CHANNEL, userId, userId === ADMIN ? 'administrator' : 'member');
    // The first unban fails after its ban landed: that member's removal is retried (only the unban) after a backoff.
    telegram.failNext('unbanChatMember', { status: 500, description: 'Internal Server Error' });
    // Slow enough that one replica's batch is still being removed when the other claims the next.
    telegram.setDelay('banChatMember', 60);

    const env = appEnv({ telegram, smartypay }, database, {
      BOT_MODE: 'webhook',
      PUBLIC_URL: 'https://bot.example.com',
      TELEGRAM_WEBHOOK_SECRET: 'access-replicas-webhook-secret_01',
      RECHECK_INTERVAL_MS: '200',
      TELEGRAM_PRIVATE_CHAT_INTERVAL_MS: '0',
      SHUTDOWN_TIMEOUT_MS: '3000',
    });
    const first = start(env);
    const second = start(env);
    await Promise.all([first.ready(60_000), second.ready(60_000)]);

    // A deploy in the middle: one replica stops (gracefully: its sweep hands back what it had not started on) and comes
    // back.
    await waitUntil(() => telegram.callsOf('banChatMember').length > 0, 20_000, 'a first removal');
    expect(await first.stop('SIGTERM')).toBe(0);
    const restarted = start(env);
    await restarted.ready(60_000);

    const removed = async () =>
      (await observer.db.select().from(accessGrants).where(eq(accessGrants.chatId, CHANNEL))).every(
        (grant) => grant.state === 'removed',
      );
    const told = async () =>
      (await observer.db.select().from(outbox).where(eq(outbox.kind, 'access_removed'))).filter(
        (row) => row.status === 'sent',
      ).length === N;
    await waitUntil(async () => (await removed()) && (await told()), 30_000, 'every lapsed member removed and told');

    const callsFor = (method: string, userId: number) =>
      telegram.callsOf(method).filter((call) => call.params.chat_id === CHANNEL && call.params.user_id === userId);
    const unbansFailed = telegram.callsOf('unbanChatMember').filter((call) => call.status === 500);
    expect(unbansFailed).toHaveLength(1);
    for (const userId of users.filter((id) => id !== ADMIN)) {
      expect(callsFor('banChatMember', userId), `bans of ${userId}`).toHaveLength(1);
      const retried = unbansFailed[0]?.params.user_id === userId;
      expect(callsFor('unbanChatMember', userId), `unbans of ${userId}`).toHaveLength(retried ? 2 : 1);
      expect(telegram.memberStatus(CHANNEL, userId)).toBe('left');
      const endedMessages = telegram
        .callsOf('sendMessage')
        .filter((call) => call.params.chat_id === userId && call.params.text.startsWith('⌛'));
      expect(endedMessages, `messages to ${userId}`).toHaveLength(1);
    }
    expect(callsFor('banChatMember', ADMIN)).toEqual([]);
    expect(telegram.memberStatus(CHANNEL, ADMIN)).toBe('administrator');
    // The work was shared: more than one process removed members (each logs the ones it claimed).
    const removers = [first, second, restarted].filter((app) => app.logs().some((line) => line.msg === 'access ended'));
    expect(removers.length).toBeGreaterThan(1);
  }, 120_000);
});
