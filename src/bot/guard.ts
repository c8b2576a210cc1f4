import type { Actor, Permissions } from '../merchants/permissions.js';
import type { BotContext } from './context.js';
import { replyTo } from './reply.js';

/** Who sent this update, for the permission check. */
export function actorOf(ctx: BotContext): Actor {
  return {
    chatId: ctx.chat?.id,
    chatType: ctx.chat?.type,
    userId: ctx.from?.id,
    senderChatId: ctx.msg?.sender_chat?.id,
  };
}

/** `@bot …` answered with no results; the button above the empty list says why and opens the bot's help. */
export async function answerWithoutResults(ctx: BotContext, text: string): Promise<void> {
  await ctx.answerInlineQuery([], { cache_time: 0, is_personal: true, button: { text, start_parameter: 'help' } });
}

/**
 * True when the sender may act as the merchant here. Otherwise answers with a polite one-line refusal
 * (an alert for a button tap, a reply for a command) and returns false: the caller does nothing.
 */
export async function ensureMerchant(ctx: BotContext, permissions: Permissions): Promise<boolean> {
  const refusal = await permissions.refusal(actorOf(ctx));
  if (refusal === undefined) return true;
  const text = ctx.t(`perm-${refusal.replace('_', '-')}`);
  ctx.logger.info({ refusal, userId: ctx.from?.id }, 'merchant action refused');
  if (ctx.callbackQuery) {
    await ctx.answerCallbackQuery({ text, show_alert: true });
  } else if (ctx.inlineQuery) {
    await answerWithoutResults(ctx, text);
  } else if (ctx.msg) {
    await ctx.reply(text, { reply_parameters: replyTo(ctx.msg.message_id) });
  }
  return false;
}
