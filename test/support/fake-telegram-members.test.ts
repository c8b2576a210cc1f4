import { Api, GrammyError } from 'grammy';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeTelegram, startFakeTelegram } from './fake-telegram.js';

// The fake's membership half through a real grammY Api: rights, invite links, join requests, ban/unban.

let fake: FakeTelegram;
let api: Api;
const CHAT = -1001234;

beforeEach(async () => {
  fake = await startFakeTelegram();
  api = new Api(fake.token, { apiRoot: fake.apiRoot });
  fake.addChat({ id: CHAT, type: 'channel', title: 'Private club', username: 'club' });
});

afterEach(async () => {
  await fake.close();
});

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GrammyError);
  return (error as GrammyError).description;
}

const botAdmin = () =>
  fake.setMember(CHAT, fake.botInfo.id, 'administrator', { can_invite_users: true, can_restrict_members: true });

describe('chats and members', () => {
  it('getChat and getChatMember resolve ids and @usernames; rights are reported as set', async () => {
    expect(await api.getChat('@club')).toMatchObject({ id: CHAT, type: 'channel', title: 'Private club' });
    expect(await refusal(api.getChat('@nobody'))).toBe('Bad Request: chat not found');
    expect((await api.getChatMember(CHAT, fake.botInfo.id)).status).toBe('left');
    fake.setMember(CHAT, fake.botInfo.id, 'administrator', { can_invite_users: true });
    const bot = await api.getChatMember('@club', fake.botInfo.id);
    expect(bot).toMatchObject({ status: 'administrator', can_invite_users: true, can_restrict_members: false });
    expect(bot.user.is_bot).toBe(true);
    fake.setMember(CHAT, 7, 'creator');
    expect((await api.getChatMember(CHAT, 7)).status).toBe('creator');
  });
});

describe('invite links', () => {
  it('need can_invite_users; a join-request link takes no member_limit; revoking marks it', async () => {
    expect(await refusal(api.createChatInviteLink(CHAT, { creates_join_request: true }))).toBe(
      'Bad Request: CHAT_ADMIN_REQUIRED',
    );
    fake.setMember(CHAT, fake.botInfo.id, 'administrator', {});
    expect(await refusal(api.createChatInviteLink(CHAT, { creates_join_request: true }))).toBe(
      'Bad Request: not enough rights to manage chat invite link',
    );
    botAdmin();
    expect(await refusal(api.createChatInviteLink(CHAT, { creates_join_request: true, member_limit: 1 }))).toMatch(
      /member limit/,
    );
    const link = await api.createChatInviteLink(CHAT, {
      creates_join_request: true,
      name: 'Order 12',
      expire_date: 2e9,
    });
    expect(link).toMatchObject({ name: 'Order 12', expire_date: 2e9, creates_join_request: true, is_revoked: false });
    const revoked = await api.revokeChatInviteLink(CHAT, link.invite_link);
    expect(revoked.is_revoked).toBe(true);
    expect(fake.inviteLinks(CHAT)).toEqual([
      expect.objectContaining({ invite_link: link.invite_link, is_revoked: true }),
    ]);
    expect(() => fake.requestJoin({ chatId: CHAT, from: { id: 9 }, inviteLink: link.invite_link })).toThrow(/revoked/);
  });
});

describe('join requests', () => {
  it('arrive as chat_join_request updates with the link; approve makes a member, decline does not', async () => {
    botAdmin();
    const link = await api.createChatInviteLink(CHAT, { creates_join_request: true });
    fake.requestJoin({ chatId: CHAT, from: { id: 9, first_name: 'Payer' }, inviteLink: link.invite_link });
    fake.requestJoin({ chatId: CHAT, from: { id: 10 }, inviteLink: link.invite_link });
    const updates = await api.getUpdates({ allowed_updates: ['chat_join_request'] });
    expect(updates.map((u) => u.chat_join_request?.from.id)).toEqual([9, 10]);
    expect(updates[0]?.chat_join_request).toMatchObject({
      chat: { id: CHAT, type: 'channel', title: 'Private club' },
      user_chat_id: 9,
      invite_link: { invite_link: link.invite_link },
    });

    expect(await api.approveChatJoinRequest(CHAT, 9)).toBe(true);
    expect(await api.declineChatJoinRequest(CHAT, 10)).toBe(true);
    expect(await refusal(api.approveChatJoinRequest(CHAT, 10))).toBe('Bad Request: HIDE_REQUESTER_MISSING');
    expect(fake.joinRequests(CHAT).map((r) => [r.userId, r.outcome])).toEqual([
      [9, 'approved'],
      [10, 'declined'],
    ]);
    expect(fake.memberStatus(CHAT, 9)).toBe('member');
    expect(fake.memberStatus(CHAT, 10)).toBe('left');
  });
});

describe('ban and unban', () => {
  it('ban then unban only_if_banned leaves the user out but free to come back; admins and owner refuse', async () => {
    fake.setMember(CHAT, 9, 'member');
    expect(await refusal(api.banChatMember(CHAT, 9))).toBe('Bad Request: CHAT_ADMIN_REQUIRED');
    fake.setMember(CHAT, fake.botInfo.id, 'administrator', { can_invite_users: true });
    expect(await refusal(api.banChatMember(CHAT, 9))).toBe(
      'Bad Request: not enough rights to restrict/unrestrict chat member',
    );
    botAdmin();
    expect(await api.banChatMember(CHAT, 9)).toBe(true);
    expect(fake.memberStatus(CHAT, 9)).toBe('kicked');
    expect(await api.unbanChatMember(CHAT, 9, { only_if_banned: true })).toBe(true);
    expect(fake.memberStatus(CHAT, 9)).toBe('left');

    fake.setMember(CHAT, 11, 'member');
    expect(await api.unbanChatMember(CHAT, 11, { only_if_banned: true })).toBe(true);
    expect(fake.memberStatus(CHAT, 11)).toBe('member');

    fake.setMember(CHAT, 7, 'creator');
    fake.setMember(CHAT, 8, 'administrator');
    expect(await refusal(api.banChatMember(CHAT, 7))).toBe("Bad Request: can't remove chat owner");
    expect(await refusal(api.banChatMember(CHAT, 8))).toBe('Bad Request: user is an administrator of the chat');
    expect(fake.callsOf('banChatMember')).toHaveLength(5);
  });
});
