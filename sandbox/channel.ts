import type { FakeTelegram } from '../test/support/fake-telegram.js';
import type { SandboxUser, SandboxUserKey } from './chat.js';

// The sandbox's private channel on the fake Bot API, for paid access (/setaccess): the bot is its administrator with
// the rights it needs, nobody else is in it. A person opening their personal invite link (the bot's Join button)
// asks to join (chat_join_request); the panel shows who is in it and what happened: join requests with the bot's
// answer, removals (ban, then unban) when access ends.

export interface ChannelEvent {
  /** ISO wall time. */
  at: string;
  who: string;
  what: 'asked to join' | 'approved' | 'declined' | 'banned' | 'unbanned';
}

export interface ChannelView {
  id: number;
  title: string;
  members: Array<{ who: string; status: string }>;
  events: ChannelEvent[];
}

export interface SandboxChannel {
  id: number;
  /** `user` opens an invite link to the channel (their Join button). */
  join(user: SandboxUserKey, inviteLink: string): void;
  view(): ChannelView;
}

export function createSandboxChannel(deps: {
  telegram: FakeTelegram;
  id: number;
  title?: string;
  users: Record<SandboxUserKey, SandboxUser>;
}): SandboxChannel {
  const { telegram, id, users } = deps;
  const title = deps.title ?? 'VIP Club';
  telegram.addChat({ id, type: 'channel', title });
  telegram.setMember(id, telegram.botInfo.id, 'administrator', { can_invite_users: true, can_restrict_members: true });
  const people = Object.values(users);
  const nameOf = (userId: number) => people.find((u) => u.id === userId)?.first_name ?? `user ${userId}`;
  // Ordered by when each happened in the fake's call log, not by timestamp: a ban and its unban share a millisecond.
  // An ask sits between the calls that came before it and those after.
  const asked: Array<ChannelEvent & { order: number }> = [];

  return {
    id,
    join(user, inviteLink) {
      const person = users[user];
      try {
        telegram.requestJoin({ chatId: id, from: { id: person.id, first_name: person.first_name }, inviteLink });
      } catch {
        // As in Telegram: a revoked or expired link does not even let them ask.
        throw new RangeError('that invite link no longer works (used, revoked or expired)');
      }
      asked.push({
        at: new Date().toISOString(),
        who: person.first_name,
        what: 'asked to join',
        order: telegram.calls.length - 0.5,
      });
    },
    view() {
      const order = new Map(telegram.calls.map((call, index) => [call, index]));
      const answers = (method: string, what: ChannelEvent['what']) =>
        telegram
          .callsOf(method)
          .filter((call) => call.params.chat_id === id && call.status === 200)
          .map((call) => ({
            at: new Date(call.at).toISOString(),
            who: nameOf(call.params.user_id),
            what,
            order: order.get(call) ?? 0,
          }));
      const events = [
        ...asked,
        ...answers('approveChatJoinRequest', 'approved'),
        ...answers('declineChatJoinRequest', 'declined'),
        ...answers('banChatMember', 'banned'),
        ...answers('unbanChatMember', 'unbanned'),
      ]
        .sort((a, b) => b.order - a.order)
        .map(({ order: _, ...event }) => event);
      const members = people
        .map((person) => ({ who: person.first_name, status: telegram.memberStatus(id, person.id) }))
        .filter((member) => member.status !== 'left');
      return { id, title, members, events };
    },
  };
}
