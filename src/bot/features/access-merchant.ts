import { type CommandContext, Composer } from 'grammy';
import type { AccessGrants } from '../../access/grants.js';
import { createJoinLink } from '../../access/join-link.js';
import { parsePeriod, parseSetAccess } from '../../access/rules.js';
import type { AccessService, ChatCheck } from '../../access/service.js';
import type { Translator } from '../../i18n/index.js';
import type { Permissions } from '../../merchants/permissions.js';
import type { AccessLapse, RemovalResult } from '../../notify/access-lapse.js';
import { isProductCode } from '../../products/rules.js';
import type { ProductService } from '../../products/service.js';
import { accessChatName, accessUntil, renderMembers, renderPeriod } from '../../views/access.js';
import { escapeHtml } from '../../views/messages.js';
import { renderProductCard } from '../../views/product.js';
import type { BotContext } from '../context.js';
import { replyTo } from '../reply.js';
import { shopMerchantOf } from './shop-merchant.js';

// The merchant's side of paid access, in their private chat: /setaccess <code> <chat> [period] (the bot checks its
// own rights in the chat first, getChatMember, and changes nothing unless it has them all); /members <code>;
// /grant <code> <user id> <period> (answers with the user's personal join-request link to pass on); /revoke <code>
// <user id> (their access ends now and they are removed at once, by the same rules as a lapse).

/** request_chat ids are signed 32-bit: the picker carries product ids up to this. */
const MAX_PICKER_PRODUCT_ID = 1_000_000_000;

/** /members shows this many grants. */
const MEMBERS_LIST_LIMIT = 50;

export interface AccessMerchantDeps {
  access: AccessService;
  grants: Pick<AccessGrants, 'grantManually' | 'listForProducts' | 'setInviteLink'>;
  /** /revoke removes at once, through the lapse's own claim (so never twice with a sweep). */
  lapse: Pick<AccessLapse, 'revoke'>;
  products: Pick<ProductService, 'findOwned' | 'findOwnedById'>;
  now: () => Date;
  /** How near its end a member counts as ending soon in /members (views/access.ts endingSoonMs). */
  endingSoonMs: number;
  permissions: Permissions;
  translator: Translator;
}

export function createAccessMerchantFeature(deps: AccessMerchantDeps) {
  const composer = new Composer<BotContext>();

  composer.command('setaccess', async (ctx) => {
    const merchantUserId = await shopMerchantOf(deps.permissions, ctx);
    if (merchantUserId === undefined) return;
    const inReply = { reply_parameters: replyTo(ctx.msg.message_id) };
    const code = ctx.match.trim().split(/\s+/)[0] || 'CODE';
    if (ctx.match.trim() === code && isProductCode(code)) return offerChatPicker(ctx, merchantUserId, code);
    const parsed = parseSetAccess(ctx.match);
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
      await ctx.reply(chatRefusal(ctx, checked, String(request.chat)), inReply);
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

  /**
   * `/setaccess <code>` alone: reply-keyboard buttons that let the merchant pick the channel or group by tapping
   * (request_chat). The request id carries the product: id × 2, + 1 for a channel.
   */
  async function offerChatPicker(ctx: CommandContext<BotContext>, merchantUserId: number, code: string) {
    const inReply = { reply_parameters: replyTo(ctx.msg.message_id) };
    const product = await deps.products.findOwned(merchantUserId, code);
    if (!product || product.id > MAX_PICKER_PRODUCT_ID) {
      const text = product
        ? ctx.t('access-setaccess-usage', { code })
        : ctx.t('shop-not-found', { code: escapeHtml(code) });
      await ctx.reply(text, inReply);
      return;
    }
    const button = (channel: boolean) => ({
      text: ctx.t(channel ? 'access-choose-channel' : 'access-choose-group'),
      request_chat: {
        request_id: product.id * 2 + (channel ? 1 : 0),
        chat_is_channel: channel,
        bot_is_member: true,
        request_title: true,
      },
    });
    await ctx.reply(ctx.t('access-choose-chat', { code }), {
      ...inReply,
      reply_markup: { keyboard: [[button(true), button(false)]], one_time_keyboard: true, resize_keyboard: true },
    });
  }

  composer.on('message:chat_shared', async (ctx) => {
    const shared = ctx.msg.chat_shared;
    const merchantUserId = ctx.from.id;
    const refusal = await deps.permissions.refusal({
      userId: merchantUserId,
      chatId: merchantUserId,
      chatType: 'private',
    });
    if (refusal !== undefined || ctx.chat.type !== 'private') return;
    const product = await deps.products.findOwnedById(merchantUserId, Math.floor(shared.request_id / 2));
    const noKeyboard = { reply_markup: { remove_keyboard: true as const } };
    if (!product) {
      await ctx.reply(ctx.t('shop-not-found', { code: '?' }), noKeyboard);
      return;
    }
    const checked = await deps.access.checkChat(shared.chat_id, ctx.me.id);
    const name = shared.title ?? String(shared.chat_id);
    if (!checked.ok) {
      await ctx.reply(chatRefusal(ctx, checked, name), noKeyboard);
      return;
    }
    // The period stays what it was (for life if none): `/setaccess <code> <chat> <period>` changes it.
    const periodSeconds = product.accessPeriodSeconds;
    const updated = await deps.access.setAccess(merchantUserId, product.code, {
      chatId: checked.chatId,
      title: checked.title,
      periodSeconds,
    });
    if (!updated) {
      // Deleted since the button was shown.
      await ctx.reply(ctx.t('shop-not-found', { code: escapeHtml(product.code) }), noKeyboard);
      return;
    }
    ctx.logger.info({ productId: product.id, chatId: checked.chatId }, 'product access set by picking the chat');
    const t = deps.translator.forLocale(await ctx.i18n.getLocale());
    const done = t('access-set', {
      chat: accessChatName(checked.title, checked.chatId),
      period: renderPeriod(t, periodSeconds),
    });
    await ctx.reply(
      `${done}\n${t('access-set-period-hint', { code: product.code, chat: String(checked.chatId) })}`,
      noKeyboard,
    );
  });

  /** The merchant's product with paid access named by the command's first word, or undefined after answering why not. */
  async function accessProductOf(ctx: CommandContext<BotContext>, usage: string) {
    const merchantUserId = await shopMerchantOf(deps.permissions, ctx);
    if (merchantUserId === undefined) return undefined;
    const inReply = { reply_parameters: replyTo(ctx.msg.message_id) };
    const words = ctx.match.trim().split(/\s+/).filter(Boolean);
    const code = words[0];
    if (code === undefined || !isProductCode(code)) {
      await ctx.reply(ctx.t(usage, { code: 'CODE' }), inReply);
      return undefined;
    }
    const product = await deps.products.findOwned(merchantUserId, code);
    if (!product) {
      await ctx.reply(ctx.t('shop-not-found', { code: escapeHtml(code) }), inReply);
      return undefined;
    }
    if (product.accessChatId === null) {
      await ctx.reply(ctx.t('access-none', { code }), inReply);
      return undefined;
    }
    return { product: { ...product, accessChatId: product.accessChatId }, words, inReply };
  }

  composer.command('members', async (ctx) => {
    const found = await accessProductOf(ctx, 'access-members-usage');
    if (!found) return;
    const grants = await deps.grants.listForProducts([found.product.id], MEMBERS_LIST_LIMIT);
    const t = deps.translator.forLocale(await ctx.i18n.getLocale());
    await ctx.reply(renderMembers(t, found.product, grants, deps.now(), deps.endingSoonMs), found.inReply);
  });

  composer.command('grant', async (ctx) => {
    const found = await accessProductOf(ctx, 'access-grant-usage');
    if (!found) return;
    const [code, user, period] = found.words;
    const userId = user !== undefined && /^\d{1,15}$/.test(user) ? Number(user) : undefined;
    const seconds = period === undefined ? undefined : period === 'life' ? null : parsePeriod(period);
    if (userId === undefined || seconds === undefined || found.words.length > 3) {
      await ctx.reply(ctx.t('access-grant-usage', { code: code ?? 'CODE' }), found.inReply);
      return;
    }
    const { product } = found;
    const grant = await deps.grants.grantManually({
      productId: product.id,
      userId,
      chatId: product.accessChatId,
      periodSeconds: seconds,
    });
    const link = await createJoinLink(ctx.api, deps.grants, grant, `Grant ${grant.id}`);
    ctx.logger.info({ productId: product.id, userId, grantId: grant.id }, 'access granted by the merchant');
    const t = deps.translator.forLocale(await ctx.i18n.getLocale());
    await ctx.reply(
      t('access-granted', {
        user: String(userId),
        chat: accessChatName(product.accessChatTitle, product.accessChatId),
        until: accessUntil(t, grant.endsAt),
        link,
      }),
      { ...found.inReply, link_preview_options: { is_disabled: true } },
    );
  });

  composer.command('revoke', async (ctx) => {
    const found = await accessProductOf(ctx, 'access-revoke-usage');
    if (!found) return;
    const [code, user] = found.words;
    if (user === undefined || !/^\d{1,15}$/.test(user) || found.words.length > 2) {
      await ctx.reply(ctx.t('access-revoke-usage', { code: code ?? 'CODE' }), found.inReply);
      return;
    }
    const revoked = await deps.lapse.revoke(found.product.id, Number(user));
    if (!revoked) {
      await ctx.reply(ctx.t('access-revoke-none', { user }), found.inReply);
      return;
    }
    ctx.logger.info({ productId: found.product.id, userId: Number(user), ...revoked }, 'access revoked');
    await ctx.reply(ctx.t(REVOKED[revoked.result], { user }), found.inReply);
  });

  return composer;
}

/** /revoke's answer for each way the removal went. */
const REVOKED: Record<RemovalResult, string> = {
  removed: 'access-revoked',
  kept: 'access-revoked-kept',
  not_in_chat: 'access-revoked-not-in-chat',
  retrying: 'access-revoked-retrying',
  // Paid for in the same moment: they keep the access they just bought.
  renewed: 'access-revoked-renewed',
};

function chatRefusal(ctx: BotContext, checked: Exclude<ChatCheck, { ok: true }>, chat: string): string {
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
