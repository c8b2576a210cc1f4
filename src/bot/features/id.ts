import { Composer } from 'grammy';
import type { BotContext } from '../context.js';
import { GROUP_ANONYMOUS_BOT_ID } from '../permissions.js';
import { replyTo } from '../reply.js';

// /id, always available: the sender's user id and the chat's id, the two numbers MERCHANT_USER_IDS and
// MERCHANT_CHAT_IDS take, so nobody needs a third-party bot to find them. In setup mode it says where
// they go.

export function createIdFeature(deps: { setupMode: boolean }) {
  const composer = new Composer<BotContext>();
  composer.command('id', async (ctx) => {
    const chatId = ctx.chat.id;
    const senderChat = ctx.msg.sender_chat;
    const lines: string[] = [];
    if (senderChat && senderChat.id === chatId) lines.push(ctx.t('id-anonymous'));
    else if (senderChat) lines.push(ctx.t('id-sender-chat', { senderChatId: String(senderChat.id) }));
    else if (ctx.from && ctx.from.id !== GROUP_ANONYMOUS_BOT_ID)
      lines.push(ctx.t('id-user', { userId: String(ctx.from.id) }));
    lines.push(ctx.t('id-chat', { chatId: String(chatId) }));
    if (deps.setupMode) {
      lines.push('', ctx.t('id-setup-user'));
      if (ctx.chat.type !== 'private') lines.push(ctx.t('id-setup-chat'));
    }
    await ctx.reply(lines.join('\n'), { reply_parameters: replyTo(ctx.msg.message_id) });
  });
  return composer;
}
