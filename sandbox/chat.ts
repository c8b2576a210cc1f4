import { randomUUID } from 'node:crypto';
import type { FakeTelegram } from '../test/support/fake-telegram.js';

// The sandbox's chats on the fake Bot API: a Telegram group with a merchant and a customer, and each
// person's private chat with the bot (where /export's file, receipts and deliveries go), and a second customer's,
// who buys in the shop through a product's link (`/start <code>` in their private chat). The page posts
// messages and presses buttons as a person; the view merges their messages with the bot's (sends, edits,
// documents). In Telegram a private chat's id is the person's user id, so the same is true here.

export type SandboxUserKey = 'merchant' | 'customer' | 'shopper';
/** The group, or a person's private chat with the bot (keyed by that person). */
export type SandboxChatKey = 'group' | SandboxUserKey;
export const SANDBOX_CHAT_KEYS = [
  'group',
  'merchant',
  'customer',
  'shopper',
] as const satisfies readonly SandboxChatKey[];

export interface SandboxUser {
  id: number;
  first_name: string;
  language_code: string;
}

export const SANDBOX_USERS: Record<SandboxUserKey, SandboxUser> = {
  merchant: { id: 4242, first_name: 'Merchant', language_code: 'en' },
  customer: { id: 5151, first_name: 'Customer', language_code: 'en' },
  shopper: { id: 6161, first_name: 'Second customer', language_code: 'en' },
};

export interface SandboxChatInfo {
  key: SandboxChatKey;
  id: number;
  type: 'supergroup' | 'private';
  /** The group's title, or the person whose private chat it is. */
  title: string;
  /** Who may type here: both people in the group, only its owner in a private chat. */
  members: SandboxUserKey[];
}

export interface ChatMessageView {
  message_id: number;
  from: { name: string; user?: SandboxUserKey; bot?: true };
  /** Plain text for people, Telegram HTML for the bot (the page sanitises it); a document's caption. */
  text: string;
  html: boolean;
  reply_to_message_id?: number;
  reply_markup?: unknown;
  /** A file the bot sent again by file id (a shop delivery: photo, document, …); the sandbox has no file to show. */
  media?: { kind: string; fileId: string };
  /** A file the bot sent (sendDocument): GET /api/chats/<chat>/documents/<message_id> downloads it. */
  document?: { fileName: string; bytes: number };
  edited: boolean;
  deleted: boolean;
  /** ISO time it was sent (wall clock). */
  at: string;
}

export interface SandboxChats {
  chats: Record<SandboxChatKey, SandboxChatInfo>;
  post(chat: SandboxChatKey, user: SandboxUserKey, text: string, replyTo?: number): { message_id: number };
  /** Pushes a callback_query for a bot message's button; resolves with the bot's answer text, if any. */
  press(chat: SandboxChatKey, user: SandboxUserKey, messageId: number, data: string): Promise<{ answer?: string }>;
  messages(chat: SandboxChatKey): ChatMessageView[];
  document(chat: SandboxChatKey, messageId: number): { fileName: string; content: Buffer } | undefined;
}

export interface SandboxChatsDeps {
  telegram: FakeTelegram;
  /** A group id of its own per run, so a kept DATA_DIR never mistakes a new /pay for an old one. */
  groupId: number;
  /** The two people (ids of their own per run, for the same reason: their ids are their private chats'). */
  users?: Record<SandboxUserKey, SandboxUser>;
  title?: string;
  answerTimeoutMs?: number;
}

export function createSandboxChats(deps: SandboxChatsDeps): SandboxChats {
  const { telegram } = deps;
  const users = deps.users ?? SANDBOX_USERS;
  const bot = telegram.botInfo;
  const privateChat = (user: SandboxUserKey): SandboxChatInfo => ({
    key: user,
    id: users[user].id,
    type: 'private',
    title: users[user].first_name,
    members: [user],
  });
  const chats: Record<SandboxChatKey, SandboxChatInfo> = {
    group: {
      key: 'group',
      id: deps.groupId,
      type: 'supergroup',
      title: deps.title ?? 'Coffee Corner',
      members: ['merchant', 'customer'],
    },
    merchant: privateChat('merchant'),
    customer: privateChat('customer'),
    shopper: privateChat('shopper'),
  };
  const people = new Map<SandboxChatKey, ChatMessageView[]>(SANDBOX_CHAT_KEYS.map((key) => [key, []]));
  // The merchant runs the group, as in a real shop (the bot lets them issue because of MERCHANT_USER_IDS).
  telegram.setAdmins(deps.groupId, [users.merchant.id]);

  function member(key: SandboxChatKey, user: SandboxUserKey): SandboxChatInfo {
    const chat = chats[key];
    if (!chat.members.includes(user)) throw new RangeError(`${user} cannot write in ${key}'s private chat`);
    return chat;
  }

  function telegramChat(chat: SandboxChatInfo) {
    return chat.type === 'private'
      ? { id: chat.id, type: chat.type, first_name: chat.title }
      : { id: chat.id, type: chat.type, title: chat.title };
  }

  function botMessages(chat: SandboxChatInfo): ChatMessageView[] {
    const sentAt = new Map(
      telegram
        .sentMessages()
        .filter((m) => m.chatId === chat.id)
        .map((m) => [m.message_id, m.at]),
    );
    const from = { name: bot.first_name, bot: true as const };
    const texts = telegram.messages(chat.id).map((m) => ({
      message_id: m.message_id,
      from,
      text: m.text,
      // A shop delivery's text comes with its own entities: shown as typed, not as HTML.
      html: m.entities === undefined,
      ...(m.reply_to_message_id !== undefined && { reply_to_message_id: m.reply_to_message_id }),
      ...(m.reply_markup !== undefined && { reply_markup: m.reply_markup }),
      edited: m.edits > 0,
      deleted: m.deleted === true,
      at: new Date(sentAt.get(m.message_id) ?? Date.now()).toISOString(),
    }));
    const documents = telegram
      .documents()
      .filter((d) => d.chatId === chat.id)
      .map((d) => ({
        message_id: d.message_id,
        from,
        text: d.caption ?? '',
        html: true,
        document: { fileName: d.fileName, bytes: d.content.length },
        edited: false,
        deleted: false,
        at: new Date(d.at).toISOString(),
      }));
    const files = telegram
      .media()
      .filter((m) => m.chatId === chat.id)
      .map((m) => ({
        message_id: m.message_id,
        from,
        text: m.caption ?? '',
        html: false,
        media: { kind: m.method.replace(/^send/, '').toLowerCase(), fileId: m.fileId },
        ...(m.replyTo !== undefined && { reply_to_message_id: m.replyTo }),
        edited: false,
        deleted: false,
        at: new Date(m.at).toISOString(),
      }));
    return [...texts, ...documents, ...files];
  }

  return {
    chats,
    post(key, user, text, replyTo) {
      const chat = member(key, user);
      const { message } = telegram.sendText({ chat: telegramChat(chat), from: users[user], text, replyTo });
      people.get(key)?.push({
        message_id: message.message_id,
        from: { name: users[user].first_name, user },
        text,
        html: false,
        ...(replyTo !== undefined && { reply_to_message_id: replyTo }),
        edited: false,
        deleted: false,
        at: new Date().toISOString(),
      });
      return { message_id: message.message_id };
    },
    async press(key, user, messageId, data) {
      const chat = member(key, user);
      const target = telegram.messages(chat.id).find((m) => m.message_id === messageId);
      if (!target) throw new RangeError(`no bot message ${messageId} in the sandbox's ${key} chat`);
      const id = randomUUID();
      const { id: userId, first_name, language_code } = users[user];
      telegram.pushUpdate({
        callback_query: {
          id,
          from: { id: userId, is_bot: false, first_name, language_code },
          chat_instance: String(chat.id),
          data,
          message: {
            message_id: target.message_id,
            date: Math.floor(Date.now() / 1000),
            chat: telegramChat(chat),
            from: { id: bot.id, is_bot: true, first_name: bot.first_name, username: bot.username },
            text: target.text,
            ...(target.reply_markup !== undefined && { reply_markup: target.reply_markup }),
          },
        },
      });
      const answered = () => telegram.callsOf('answerCallbackQuery').find((c) => c.params.callback_query_id === id);
      await telegram.waitFor(() => answered() !== undefined, deps.answerTimeoutMs ?? 5_000).catch(() => {});
      const text = answered()?.params.text;
      return typeof text === 'string' ? { answer: text } : {};
    },
    messages: (key) =>
      [...(people.get(key) ?? []), ...botMessages(chats[key])].sort((a, b) => a.message_id - b.message_id),
    document(key, messageId) {
      const found = telegram.documents().find((d) => d.chatId === chats[key].id && d.message_id === messageId);
      return found && { fileName: found.fileName, content: found.content };
    },
  };
}
