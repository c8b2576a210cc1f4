// The membership half of the fake Bot API: who is in which chat (and with which admin rights), invite links, join
// requests, bans. Split from fake-telegram.ts to keep that file readable; the fake mixes these handlers in and
// exposes the test-side helpers on FakeTelegram.

export type MemberStatus = 'creator' | 'administrator' | 'member' | 'restricted' | 'left' | 'kicked';

/** The admin rights this project checks; an administrator has none unless given. */
export interface AdminRights {
  can_invite_users?: boolean;
  can_restrict_members?: boolean;
}

export interface FakeChat {
  id: number;
  type: 'group' | 'supergroup' | 'channel';
  title: string;
  username?: string;
}

export interface FakeInviteLink {
  invite_link: string;
  chatId: number;
  name?: string;
  expire_date?: number;
  member_limit?: number;
  creates_join_request: boolean;
  is_revoked: boolean;
}

export interface FakeJoinRequest {
  chatId: number;
  userId: number;
  inviteLink?: string;
  /** What the bot did: pending until approved or declined. */
  outcome: 'pending' | 'approved' | 'declined';
}

export interface FakeMembersApi {
  /** Registers a group, supergroup or channel (getChat, @username lookups, chat_join_request updates). */
  addChat(chat: FakeChat): void;
  /** Sets a user's (or the bot's, by its id) membership of a chat, with rights for an administrator. */
  setMember(chatId: number, userId: number, status: MemberStatus, rights?: AdminRights): void;
  /** A user's status in a chat now ('left' when never set). */
  memberStatus(chatId: number, userId: number): MemberStatus;
  /** Every invite link the bot created, in order, as it is now (revoked ones included). */
  inviteLinks(chatId?: number): FakeInviteLink[];
  /** A user opens an invite link: queues a chat_join_request update (link must exist, not revoked, not expired). */
  requestJoin(opts: { chatId: number; from: { id: number; first_name?: string }; inviteLink?: string }): void;
  /** Join requests with what the bot answered, in arrival order. */
  joinRequests(chatId?: number): FakeJoinRequest[];
}

export class MembersError extends Error {
  constructor(
    readonly status: number,
    readonly description: string,
  ) {
    super(description);
  }
}

interface Member {
  status: MemberStatus;
  rights: AdminRights;
}

const bad = (description: string) => new MembersError(400, `Bad Request: ${description}`);

export function createFakeMembers(deps: {
  botId: number;
  nowSeconds: () => number;
  pushUpdate: (update: Record<string, any>) => unknown;
  userJson: (user: { id: number; first_name?: string }) => Record<string, any>;
}): {
  api: FakeMembersApi;
  handlers: Record<string, (p: Record<string, any>) => unknown>;
  chatJson(id: number): Record<string, any> | undefined;
} {
  const chats = new Map<number, FakeChat>();
  const members = new Map<string, Member>();
  const links: FakeInviteLink[] = [];
  const requests: FakeJoinRequest[] = [];
  let nextLink = 1;

  const key = (chatId: number, userId: number) => `${chatId}:${userId}`;
  const member = (chatId: number, userId: number): Member =>
    members.get(key(chatId, userId)) ?? { status: 'left', rights: {} };
  const setStatus = (chatId: number, userId: number, status: MemberStatus) =>
    members.set(key(chatId, userId), { status, rights: {} });
  const isAdmin = (m: Member) => m.status === 'creator' || m.status === 'administrator';

  /** A chat id or @username, as Telegram takes them. */
  const resolve = (value: unknown): FakeChat => {
    if (typeof value === 'number' && chats.has(value)) return chats.get(value) as FakeChat;
    if (typeof value === 'string' && value.startsWith('@')) {
      const name = value.slice(1).toLowerCase();
      for (const chat of chats.values()) if (chat.username?.toLowerCase() === name) return chat;
    }
    throw bad('chat not found');
  };
  const userId = (value: unknown): number => {
    if (typeof value === 'number' && Number.isInteger(value)) return value;
    throw bad('invalid user_id specified');
  };
  /** The bot must be an administrator there with `right`, else Telegram refuses with `description`. */
  const requireRight = (chatId: number, right: keyof AdminRights, description: string) => {
    const bot = member(chatId, deps.botId);
    if (bot.status === 'creator') return;
    if (bot.status !== 'administrator') throw bad('CHAT_ADMIN_REQUIRED');
    if (!bot.rights[right]) throw bad(description);
  };
  const chatJson = (id: number): Record<string, any> | undefined => {
    const chat = chats.get(id);
    if (!chat) return undefined;
    return { id: chat.id, type: chat.type, title: chat.title, ...(chat.username && { username: chat.username }) };
  };
  const linkJson = (link: FakeInviteLink) => {
    const { chatId: _chat, ...rest } = link;
    return { ...rest, creator: deps.userJson({ id: deps.botId, first_name: 'Test Bot' }), is_primary: false };
  };
  const memberJson = (chatId: number, id: number) => {
    const m = member(chatId, id);
    const user =
      id === deps.botId ? { ...deps.userJson({ id, first_name: 'Test Bot' }), is_bot: true } : deps.userJson({ id });
    if (m.status === 'administrator') {
      return {
        status: m.status,
        user,
        can_be_edited: false,
        is_anonymous: false,
        can_manage_chat: true,
        can_delete_messages: false,
        can_manage_video_chats: false,
        can_restrict_members: m.rights.can_restrict_members === true,
        can_promote_members: false,
        can_change_info: false,
        can_invite_users: m.rights.can_invite_users === true,
        can_post_stories: false,
        can_edit_stories: false,
        can_delete_stories: false,
      };
    }
    if (m.status === 'kicked') return { status: m.status, user, until_date: 0 };
    if (m.status === 'creator') return { status: m.status, user, is_anonymous: false };
    return { status: m.status, user };
  };
  const pendingRequest = (chatId: number, user: number): FakeJoinRequest => {
    const request = requests.find((r) => r.chatId === chatId && r.userId === user && r.outcome === 'pending');
    if (!request) throw bad('HIDE_REQUESTER_MISSING');
    return request;
  };

  const handlers: Record<string, (p: Record<string, any>) => unknown> = {
    getChat: (p) => chatJson(resolve(p.chat_id).id),
    getChatMember: (p) => memberJson(resolve(p.chat_id).id, userId(p.user_id)),
    createChatInviteLink: (p) => {
      const chat = resolve(p.chat_id);
      requireRight(chat.id, 'can_invite_users', 'not enough rights to manage chat invite link');
      const joinRequest = p.creates_join_request === true || p.creates_join_request === 'true';
      if (joinRequest && p.member_limit !== undefined) {
        throw bad("member limit can't be specified for links requiring administrator approval");
      }
      const link: FakeInviteLink = {
        invite_link: `https://t.me/+fake${String(nextLink++).padStart(6, '0')}`,
        chatId: chat.id,
        ...(typeof p.name === 'string' && { name: p.name }),
        ...(p.expire_date !== undefined && { expire_date: Number(p.expire_date) }),
        ...(p.member_limit !== undefined && { member_limit: Number(p.member_limit) }),
        creates_join_request: joinRequest,
        is_revoked: false,
      };
      links.push(link);
      return linkJson(link);
    },
    revokeChatInviteLink: (p) => {
      const chat = resolve(p.chat_id);
      requireRight(chat.id, 'can_invite_users', 'not enough rights to manage chat invite link');
      const link = links.find((l) => l.chatId === chat.id && l.invite_link === p.invite_link);
      if (!link) throw bad('INVITE_HASH_EXPIRED');
      link.is_revoked = true;
      return linkJson(link);
    },
    approveChatJoinRequest: (p) => {
      const chat = resolve(p.chat_id);
      requireRight(chat.id, 'can_invite_users', 'CHAT_ADMIN_REQUIRED');
      const request = pendingRequest(chat.id, userId(p.user_id));
      request.outcome = 'approved';
      setStatus(chat.id, request.userId, 'member');
      return true;
    },
    declineChatJoinRequest: (p) => {
      const chat = resolve(p.chat_id);
      requireRight(chat.id, 'can_invite_users', 'CHAT_ADMIN_REQUIRED');
      pendingRequest(chat.id, userId(p.user_id)).outcome = 'declined';
      return true;
    },
    banChatMember: (p) => {
      const chat = resolve(p.chat_id);
      const target = userId(p.user_id);
      if (target === deps.botId) throw bad("can't remove chat owner");
      requireRight(chat.id, 'can_restrict_members', 'not enough rights to restrict/unrestrict chat member');
      const m = member(chat.id, target);
      if (m.status === 'creator') throw bad("can't remove chat owner");
      if (m.status === 'administrator') throw bad('user is an administrator of the chat');
      setStatus(chat.id, target, 'kicked');
      return true;
    },
    unbanChatMember: (p) => {
      const chat = resolve(p.chat_id);
      const target = userId(p.user_id);
      requireRight(chat.id, 'can_restrict_members', 'not enough rights to restrict/unrestrict chat member');
      const m = member(chat.id, target);
      if (isAdmin(m)) throw bad("can't remove chat owner");
      const onlyIfBanned = p.only_if_banned === true || p.only_if_banned === 'true';
      // As documented: without only_if_banned, unbanning a member removes them from the chat.
      if (m.status === 'kicked' || !onlyIfBanned) setStatus(chat.id, target, 'left');
      return true;
    },
  };

  const api: FakeMembersApi = {
    addChat: (chat) => {
      chats.set(chat.id, { ...chat });
    },
    setMember: (chatId, id, status, rights = {}) => {
      members.set(key(chatId, id), { status, rights: { ...rights } });
    },
    memberStatus: (chatId, id) => member(chatId, id).status,
    inviteLinks: (chatId) => links.filter((l) => chatId === undefined || l.chatId === chatId).map((l) => ({ ...l })),
    requestJoin: ({ chatId, from, inviteLink }) => {
      const chat = chatJson(chatId);
      if (!chat) throw new Error(`requestJoin: no chat ${chatId} (addChat first)`);
      const link = inviteLink === undefined ? undefined : links.find((l) => l.invite_link === inviteLink);
      if (inviteLink !== undefined) {
        if (!link || link.chatId !== chatId) throw new Error(`requestJoin: no link ${inviteLink} in chat ${chatId}`);
        if (link.is_revoked || (link.expire_date !== undefined && link.expire_date <= deps.nowSeconds())) {
          throw new Error(`requestJoin: link ${inviteLink} is revoked or expired; Telegram would not let them ask`);
        }
        if (!link.creates_join_request) throw new Error('requestJoin: that link joins without a request');
      }
      requests.push({ chatId, userId: from.id, ...(inviteLink && { inviteLink }), outcome: 'pending' });
      deps.pushUpdate({
        chat_join_request: {
          chat,
          from: deps.userJson(from),
          user_chat_id: from.id,
          date: deps.nowSeconds(),
          ...(link && { invite_link: linkJson(link) }),
        },
      });
    },
    joinRequests: (chatId) =>
      requests.filter((r) => chatId === undefined || r.chatId === chatId).map((r) => ({ ...r })),
  };
  return { api, handlers, chatJson };
}
