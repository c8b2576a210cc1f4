import { randomUUID } from 'node:crypto';
import type { FakeTelegram } from '../test/support/fake-telegram.js';

// One Telegram group with a merchant and a customer, on the fake Bot API: the page posts messages and
// presses buttons as either person; the view merges their messages with the bot's (sends and edits).

export type SandboxUserKey = 'merchant' | 'customer';

export const SANDBOX_USERS: Record<SandboxUserKey, { id: number; first_name: string; language_code: string }> = {
  merchant: { id: 4242, first_name: 'Merchant', language_code: 'en' },
  customer: { id: 5151, first_name: 'Customer', language_code: 'en' },
};

export interface ChatMessageView {
  message_id: number;
  from: { name: string; user?: SandboxUserKey; bot?: true };
  /** Plain text for people, Telegram HTML for the bot (the page sanitises it). */
  text: string;
  html: boolean;
  reply_to_message_id?: number;
  reply_markup?: unknown;
  edited: boolean;
  deleted: boolean;
  /** ISO time it was sent (wall clock). */
  at: string;
}

export interface SandboxChat {
  chat: { id: number; type: 'supergroup'; title: string };
  post(user: SandboxUserKey, text: string, replyTo?: number): { message_id: number };
  /** Pushes a callback_query for a bot message's button; resolves with the bot's answer text, if any. */
  press(user: SandboxUserKey, messageId: number, data: string): Promise<{ answer?: string }>;
  messages(): ChatMessageView[];
}

export interface SandboxChatDeps {
  telegram: FakeTelegram;
  /** A chat id of its own per run, so a kept DATA_DIR never mistakes a new /pay for an old one. */
  chatId: number;
  title?: string;
  answerTimeoutMs?: number;
}

export function createSandboxChat(deps: SandboxChatDeps): SandboxChat {
  const { telegram } = deps;
  const chat = { id: deps.chatId, type: 'supergroup' as const, title: deps.title ?? 'Coffee Corner' };
  const people: ChatMessageView[] = [];
  const bot = telegram.botInfo;
  // The merchant runs the group: without MERCHANT_USER_IDS the bot lets a group's admins issue invoices.
  telegram.setAdmins(chat.id, [SANDBOX_USERS.merchant.id]);

  function userJson(user: SandboxUserKey) {
    const { id, first_name, language_code } = SANDBOX_USERS[user];
    return { id, is_bot: false, first_name, language_code };
  }

  function botMessages(): ChatMessageView[] {
    const sentAt = new Map(
      telegram
        .sentMessages()
        .filter((m) => m.chatId === chat.id)
        .map((m) => [m.message_id, m.at]),
    );
    return telegram.messages(chat.id).map((m) => ({
      message_id: m.message_id,
      from: { name: bot.first_name, bot: true as const },
      text: m.text,
      html: true,
      ...(m.reply_to_message_id !== undefined && { reply_to_message_id: m.reply_to_message_id }),
      ...(m.reply_markup !== undefined && { reply_markup: m.reply_markup }),
      edited: m.edits > 0,
      deleted: m.deleted === true,
      at: new Date(sentAt.get(m.message_id) ?? Date.now()).toISOString(),
    }));
  }

  return {
    chat,
    post(user, text, replyTo) {
      const { message } = telegram.sendText({ chat, from: SANDBOX_USERS[user], text, replyTo });
      people.push({
        message_id: message.message_id,
        from: { name: SANDBOX_USERS[user].first_name, user },
        text,
        html: false,
        ...(replyTo !== undefined && { reply_to_message_id: replyTo }),
        edited: false,
        deleted: false,
        at: new Date().toISOString(),
      });
      return { message_id: message.message_id };
    },
    async press(user, messageId, data) {
      const target = telegram.messages(chat.id).find((m) => m.message_id === messageId);
      if (!target) throw new RangeError(`no bot message ${messageId} in the sandbox chat`);
      const id = randomUUID();
      telegram.pushUpdate({
        callback_query: {
          id,
          from: userJson(user),
          chat_instance: String(chat.id),
          data,
          message: {
            message_id: target.message_id,
            date: Math.floor(Date.now() / 1000),
            chat,
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
    messages: () => [...people, ...botMessages()].sort((a, b) => a.message_id - b.message_id),
  };
}
