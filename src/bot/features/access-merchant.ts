import { Composer } from 'grammy';
import { parseSetAccess } from '../../access/rules.js';
import type { AccessService, ChatCheck } from '../../access/service.js';
import type { Translator } from '../../i18n/index.js';
import type { Permissions } from '../../merchants/permissions.js';
import { accessChatName, renderPeriod } from '../../views/access.js';
import { escapeHtml } from '../../views/messages.js';
import { renderProductCard } from '../../views/product.js';
import type { BotContext } from '../context.js';
import { replyTo } from '../reply.js';
import { shopMerchantOf } from './shop-merchant.js';

// The merchant's side of paid access, in their private chat: /setaccess <code> <chat> [period]. The bot checks its
// own rights in the chat first (getChatMember) and changes nothing unless it has them all.

export interface AccessMerchantDeps {
  access: AccessService;
  permissions: Permissions;
  translator: Translator;
}

export function createAccessMerchantFeature(deps: AccessMerchantDeps) {
  const composer = new Composer<BotContext>();

  composer.command('setaccess', async (ctx) => {
    const merchantUserId = await shopMerchantOf(deps.permissions, ctx);
    if (merchantUserId === undefined) return;
    const inReply = { reply_parameters: replyTo(ctx.msg.message_id) };
    const parsed = parseSetAccess(ctx.match);
    const code = ctx.match.trim().split(/\s+/)[0] || 'CODE';
    if (!parsed.ok) {
      const texts = {
        usage: 'access-setaccess-usage',
        bad_chat: 'access-bad-chat',
        bad_period: 'access-bad-period',
      } as const satisfies Record<typeof parsed.problem, string>;
      await ctx.reply(ctx.t(texts[parsed.problem], { code: escapeHtml(code) }), inReply);
      return;
    }
    const { request } = parsed;
    const checked = await deps.access.checkChat(request.chat, ctx.me.id);
    if (!checked.ok) {
      ctx.logger.info({ chat: request.chat, problem: checked.problem }, 'setaccess refused');
      await ctx.reply(refusal(ctx, checked, String(request.chat)), inReply);
      return;
    }
    const product = await deps.access.setAccess(merchantUserId, request.code, {
      chatId: checked.chatId,
      title: checked.title,
      periodSeconds: request.periodSeconds,
    });
    if (!product) {
      await ctx.reply(ctx.t('shop-not-found', { code: escapeHtml(request.code) }), inReply);
      return;
    }
    ctx.logger.info({ productId: product.id, chatId: checked.chatId }, 'product access set');
    const t = deps.translator.forLocale(await ctx.i18n.getLocale());
    const card = renderProductCard(t, product, ctx.me.username);
    const done = t('access-set', {
      chat: accessChatName(checked.title, checked.chatId),
      period: renderPeriod(t, request.periodSeconds),
    });
    await ctx.reply(`${done}\n\n${card.text}`, {
      ...inReply,
      reply_markup: card.replyMarkup,
      link_preview_options: { is_disabled: true },
    });
  });

  return composer;
}

function refusal(ctx: BotContext, checked: Exclude<ChatCheck, { ok: true }>, chat: string): string {
  const name = escapeHtml(chat);
  switch (checked.problem) {
    case 'chat_not_found':
      return ctx.t('access-chat-not-found');
    case 'not_a_group':
      return ctx.t('access-not-a-group');
    case 'not_admin':
      return ctx.t('access-not-admin', { chat: name });
    case 'missing_right':
      return ctx.t('access-missing-right', { chat: name, right: ctx.t(`access-right-${checked.right}`) });
  }
}
