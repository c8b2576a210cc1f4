import { Api } from 'grammy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPermissions, GROUP_ANONYMOUS_BOT_ID, type PermissionsDeps } from '../../src/bot/permissions.js';
import { type FakeTelegram, startFakeTelegram } from '../support/fake-telegram.js';
import { captureLogs } from '../support/logs.js';

// The merchant rule, against the fake Bot API over HTTP (getChatAdministrators): listed users anywhere,
// admins only in MERCHANT_CHAT_IDS groups, setup mode without a list.

const MERCHANT = 4242;
const ADMIN = 501;
const MEMBER = 502;
const SHOP_GROUP = -100_111;
const OTHER_GROUP = -100_222;

let telegram: FakeTelegram;
beforeAll(async () => {
  telegram = await startFakeTelegram();
  telegram.setAdmins(SHOP_GROUP, [ADMIN]);
  telegram.setAdmins(OTHER_GROUP, [ADMIN]);
});
afterAll(async () => {
  await telegram?.close();
});

function permissions(overrides: Partial<PermissionsDeps> = {}) {
  return createPermissions({
    api: new Api(telegram.token, { apiRoot: telegram.apiRoot }),
    logger: captureLogs([]).logger,
    merchantUserIds: [MERCHANT],
    merchantChatIds: [SHOP_GROUP],
    ...overrides,
  });
}

const adminCalls = (chatId: number) =>
  telegram.callsOf('getChatAdministrators').filter((call) => call.params.chat_id === chatId).length;
const group = (chatId: number, userId: number | undefined, senderChatId?: number) => ({
  chatId,
  chatType: 'supergroup',
  userId,
  senderChatId,
});

describe('setup mode (no MERCHANT_USER_IDS)', () => {
  it('refuses everyone everywhere, private chats and group admins included, without asking Telegram', async () => {
    for (const merchantUserIds of [undefined, []]) {
      const rule = permissions({ merchantUserIds });
      expect(rule.setupMode).toBe(true);
      expect(await rule.refusal({ chatId: MEMBER, chatType: 'private', userId: MEMBER })).toBe('setup_mode');
      expect(await rule.refusal(group(SHOP_GROUP, ADMIN))).toBe('setup_mode');
      expect(await rule.refusal(group(SHOP_GROUP, GROUP_ANONYMOUS_BOT_ID, SHOP_GROUP))).toBe('setup_mode');
      expect(await rule.refusal({ userId: MEMBER })).toBe('setup_mode'); // inline query: no chat
    }
    expect(adminCalls(SHOP_GROUP)).toBe(0);
  });

  it('the anonymous admin id alone in the list is no merchant', () => {
    expect(permissions({ merchantUserIds: [GROUP_ANONYMOUS_BOT_ID] }).setupMode).toBe(true);
  });
});

describe('MERCHANT_USER_IDS', () => {
  it('a listed user acts anywhere: private chat, any group, inline; nobody asks Telegram', async () => {
    const rule = permissions({ merchantChatIds: [] });
    expect(rule.setupMode).toBe(false);
    expect(await rule.refusal({ chatId: MERCHANT, chatType: 'private', userId: MERCHANT })).toBeUndefined();
    expect(await rule.refusal(group(OTHER_GROUP, MERCHANT))).toBeUndefined();
    expect(await rule.refusal({ userId: MERCHANT })).toBeUndefined();
    expect(adminCalls(OTHER_GROUP)).toBe(0);
  });

  it('anyone else is refused in their own private chat, inline, and as an admin of a group not listed', async () => {
    const rule = permissions();
    expect(await rule.refusal({ chatId: MEMBER, chatType: 'private', userId: MEMBER })).toBe('not_merchant');
    expect(await rule.refusal({ userId: MEMBER })).toBe('not_merchant');
    expect(await rule.refusal(group(OTHER_GROUP, ADMIN))).toBe('not_merchant');
    expect(await rule.refusal(group(OTHER_GROUP, GROUP_ANONYMOUS_BOT_ID, OTHER_GROUP))).toBe('not_merchant');
    expect(adminCalls(OTHER_GROUP)).toBe(0);
  });
});

describe('MERCHANT_CHAT_IDS', () => {
  it("a listed group's admins act there (asked once, cached); members do not", async () => {
    const before = adminCalls(SHOP_GROUP);
    const rule = permissions();
    expect(await rule.refusal(group(SHOP_GROUP, ADMIN))).toBeUndefined();
    expect(await rule.refusal(group(SHOP_GROUP, ADMIN))).toBeUndefined();
    expect(await rule.refusal(group(SHOP_GROUP, MEMBER))).toBe('not_admin');
    expect(adminCalls(SHOP_GROUP) - before).toBe(1);
    // The listed merchant needs no admin rights there.
    expect(await rule.refusal(group(SHOP_GROUP, MERCHANT))).toBeUndefined();
  });

  it('an anonymous admin writing as the listed group acts; the bare anonymous sender does not', async () => {
    const rule = permissions();
    expect(await rule.refusal(group(SHOP_GROUP, GROUP_ANONYMOUS_BOT_ID, SHOP_GROUP))).toBeUndefined();
    expect(await rule.refusal(group(SHOP_GROUP, GROUP_ANONYMOUS_BOT_ID))).toBe('unknown_user');
    // A linked channel posting into the group is not the group itself.
    expect(await rule.refusal(group(SHOP_GROUP, GROUP_ANONYMOUS_BOT_ID, -100_333))).toBe('unknown_user');
  });

  it('the admin list is trusted for cacheMs, then asked again (and a changed list is seen)', async () => {
    let at = 1_000_000;
    const before = adminCalls(SHOP_GROUP);
    const rule = permissions({ cacheMs: 1000, now: () => at });
    expect(await rule.refusal(group(SHOP_GROUP, ADMIN))).toBeUndefined();
    telegram.setAdmins(SHOP_GROUP, [MEMBER]);
    at += 1000;
    expect(await rule.refusal(group(SHOP_GROUP, ADMIN))).toBeUndefined(); // still the cached list
    expect(adminCalls(SHOP_GROUP) - before).toBe(1);
    at += 1;
    expect(await rule.refusal(group(SHOP_GROUP, ADMIN))).toBe('not_admin');
    expect(await rule.refusal(group(SHOP_GROUP, MEMBER))).toBeUndefined();
    expect(adminCalls(SHOP_GROUP) - before).toBe(2);
    telegram.setAdmins(SHOP_GROUP, [ADMIN]);
  });

  it('keeps at most cacheMaxChats groups: the least recently asked one is dropped and asked again', async () => {
    const groups = [-100_901, -100_902, -100_903];
    for (const chatId of groups) telegram.setAdmins(chatId, [ADMIN]);
    const before = groups.map(adminCalls);
    const calls = () => groups.map((chatId, i) => adminCalls(chatId) - (before[i] ?? 0));
    const rule = permissions({ merchantChatIds: groups, cacheMaxChats: 2 });
    const [a, b, c] = groups as [number, number, number];
    await rule.refusal(group(a, ADMIN));
    await rule.refusal(group(b, ADMIN));
    await rule.refusal(group(a, ADMIN)); // a is now the most recently used
    expect(calls()).toEqual([1, 1, 0]);
    await rule.refusal(group(c, ADMIN)); // over the bound: b goes
    await rule.refusal(group(a, ADMIN));
    await rule.refusal(group(c, ADMIN));
    expect(calls()).toEqual([1, 1, 1]);
    expect(await rule.refusal(group(b, ADMIN))).toBeUndefined();
    expect(calls()).toEqual([1, 2, 1]);
  });

  it('concurrent checks of one group share one call', async () => {
    const before = adminCalls(SHOP_GROUP);
    const rule = permissions();
    const answers = await Promise.all([1, 2, 3].map(() => rule.refusal(group(SHOP_GROUP, ADMIN))));
    expect(answers).toEqual([undefined, undefined, undefined]);
    expect(adminCalls(SHOP_GROUP) - before).toBe(1);
  });

  it('fails closed when Telegram cannot answer, and asks again next time', async () => {
    const before = adminCalls(SHOP_GROUP);
    const rule = permissions();
    telegram.failNext('getChatAdministrators', { status: 500, description: 'Internal Server Error' });
    expect(await rule.refusal(group(SHOP_GROUP, ADMIN))).toBe('not_admin');
    expect(await rule.refusal(group(SHOP_GROUP, ADMIN))).toBeUndefined();
    expect(adminCalls(SHOP_GROUP) - before).toBe(2);
  });
});
