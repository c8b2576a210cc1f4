import { eq } from 'drizzle-orm';
import { Api } from 'grammy';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccessGrants } from '../../src/access/grants.js';
import { accessGrants, outbox, products } from '../../src/db/schema.js';
import type { GrantFacts } from '../../src/db/vocabulary.js';
import { createAccessLapse } from '../../src/notify/access-lapse.js';
import { useTestDatabase } from '../support/database.js';
import { type FakeTelegram, startFakeTelegram } from '../support/fake-telegram.js';

// The lapse on a real database and the fake Bot API, with an hour of ACCESS_GRACE_MINUTES: a lapsed member waits out
// the grace, /revoke (revoke: ended and claimed in one statement) does not; each removal queues its member's message once, in the outbox.

const CHAT = -100_555;
const HOUR = 3_600_000;
const testDb = useTestDatabase();
let telegram: FakeTelegram;
let productId = 0;
let at = new Date('2026-12-01T10:00:00Z');
let wakes = 0;

beforeAll(async () => {
  telegram = await startFakeTelegram();
  telegram.addChat({ id: CHAT, type: 'supergroup', title: 'Club' });
  telegram.setMember(CHAT, telegram.botInfo.id, 'administrator', {
    can_invite_users: true,
    can_restrict_members: true,
  });
  const [product] = await testDb.handle.db
    .insert(products)
    .values({ code: 'lapse-test', merchantUserId: 1, title: 'Club', amount: '5', token: 'bUSDT', accessChatId: CHAT })
    .returning();
  productId = product?.id ?? 0;
});
afterAll(async () => {
  await telegram?.close();
});

const lapse = (onRemoved?: () => void) =>
  createAccessLapse({
    db: testDb.handle.db,
    api: new Api(telegram.token, { apiRoot: telegram.apiRoot }),
    outbox: { wake: () => wakes++ },
    logger: pino({ level: 'silent' }),
    now: () => at,
    graceMs: HOUR,
    merchantUserIds: [],
    ...(onRemoved && { onRemoved }),
  });
const grants = () => createAccessGrants({ db: testDb.handle.db, now: () => at });
const removedRows = async (grantId: number) =>
  (await testDb.handle.db.select().from(outbox).where(eq(outbox.kind, 'access_removed'))).filter(
    (row) => (row.payload as GrantFacts).grantId === grantId,
  );

describe('access lapse', () => {
  it('a lapsed member waits out the grace; /revoke removes at once; the message is queued once', async () => {
    const lapsed = await grants().grantManually({ productId, userId: 701, chatId: CHAT, periodSeconds: 60 });
    const revoked = await grants().grantManually({ productId, userId: 702, chatId: CHAT, periodSeconds: 30 * 86_400 });
    for (const userId of [701, 702]) telegram.setMember(CHAT, userId, 'member');
    at = new Date(at.getTime() + 30 * 60_000);

    expect(await lapse().removeLapsed()).toBe(0);
    expect(telegram.memberStatus(CHAT, 701)).toBe('member');

    const wakesBefore = wakes;
    expect(await lapse().revoke(productId, 702)).toEqual({ grantId: revoked.id, result: 'removed' });
    expect(telegram.memberStatus(CHAT, 702)).toBe('left');
    expect(wakes).toBe(wakesBefore + 1);
    const [notice, ...more] = await removedRows(revoked.id);
    expect(more).toEqual([]);
    expect(notice).toMatchObject({ chatId: 702, status: 'pending', invoiceId: null });
    // Done: neither another /revoke nor a sweep acts on it again.
    expect(await lapse().revoke(productId, 702)).toBeUndefined();

    at = new Date(at.getTime() + HOUR);
    expect(await lapse().removeLapsed()).toBe(1);
    expect(telegram.memberStatus(CHAT, 701)).toBe('left');
    expect(await removedRows(lapsed.id)).toHaveLength(1);
    expect(await removedRows(revoked.id)).toHaveLength(1);
    const bans = telegram.callsOf('banChatMember').map((call) => call.params.user_id);
    expect(bans.sort()).toEqual([701, 702]);
  });

  it('an administrator is kept; their grant is closed and nobody is told', async () => {
    const grant = await grants().grantManually({ productId, userId: 703, chatId: CHAT, periodSeconds: 86_400 });
    telegram.setMember(CHAT, 703, 'administrator');
    expect(await lapse().revoke(productId, 703)).toEqual({ grantId: grant.id, result: 'kept' });
    expect(telegram.memberStatus(CHAT, 703)).toBe('administrator');
    const [row] = await testDb.handle.db.select().from(accessGrants).where(eq(accessGrants.id, grant.id));
    expect(row?.state).toBe('removed');
    expect(await removedRows(grant.id)).toEqual([]);
  });

  it('a grant whose lease lapsed while the batch before it was removed is left for whoever holds it now', async () => {
    const first = await grants().grantManually({ productId, userId: 801, chatId: CHAT, periodSeconds: 60 });
    const second = await grants().grantManually({ productId, userId: 802, chatId: CHAT, periodSeconds: 120 });
    for (const userId of [801, 802]) telegram.setMember(CHAT, userId, 'member');
    at = new Date(at.getTime() + 2 * HOUR);
    // The first removal takes longer than the batch's lease (60 s).
    expect(await lapse(() => (at = new Date(at.getTime() + 5 * 60_000))).removeLapsed()).toBe(1);
    expect(telegram.memberStatus(CHAT, 801)).toBe('left');
    expect(telegram.memberStatus(CHAT, 802)).toBe('member');
    expect(await removedRows(first.id)).toHaveLength(1);
    expect(await removedRows(second.id)).toEqual([]);
    // Its lease lapsed: the next sweep (this or another process) takes it again and removes it, once.
    expect(await lapse().removeLapsed()).toBe(1);
    expect(telegram.memberStatus(CHAT, 802)).toBe('left');
    expect(await removedRows(second.id)).toHaveLength(1);
  });
});
