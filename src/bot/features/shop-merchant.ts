import { type CommandContext, Composer } from 'grammy';
import type { Translator } from '../../i18n/index.js';
import type { Permissions } from '../../merchants/permissions.js';
import type { TokenPolicy } from '../../payments/currencies.js';
import {
  contentOf,
  isProductCode,
  MAX_KEY_LENGTH,
  MAX_KEYS_PER_MESSAGE,
  MAX_TITLE_LENGTH,
  type NewProductProblem,
  parseAddKeys,
  parseNewProduct,
} from '../../products/rules.js';
import type { ProductService } from '../../products/service.js';
import { escapeHtml, userText } from '../../views/messages.js';
import { renderProductCard, renderProductList } from '../../views/product.js';
import type { BotContext } from '../context.js';
import { replyTo } from '../reply.js';
import { payRefusalText } from './pay.js';

// The merchant's side of the shop, in their private chat only: /newproduct, /setcontent (as a reply), /addkeys,
// /keys, /products.
// Only users in MERCHANT_USER_IDS (group admins of MERCHANT_CHAT_IDS do not count: a product is a person's); in
// setup mode each command says that MERCHANT_USER_IDS must be set.

export interface ShopMerchantDeps {
  products: ProductService;
  permissions: Permissions;
  tokens: TokenPolicy;
  translator: Translator;
}

/** /products shows this many, newest first (a Telegram message holds 4096 characters). */
export const PRODUCT_LIST_LIMIT = 30;

/**
 * The sender's user id when they may manage products here (a merchant, in their private chat); otherwise answers
 * why not and returns undefined.
 */
export async function shopMerchantOf(
  permissions: Permissions,
  ctx: CommandContext<BotContext>,
): Promise<number | undefined> {
  const userId = ctx.from?.id;
  const inReply = { reply_parameters: replyTo(ctx.msg.message_id) };
  // Asked as if in their private chat: a group's admins (MERCHANT_CHAT_IDS) are not merchants of the shop.
  const refusal = await permissions.refusal({ userId, chatId: userId, chatType: 'private' });
  if (refusal !== undefined || userId === undefined) {
    ctx.logger.info({ refusal, userId }, 'product command refused');
    await ctx.reply(ctx.t(`perm-${(refusal ?? 'unknown_user').replace('_', '-')}`), inReply);
    return undefined;
  }
  if (ctx.chat.type !== 'private') {
    await ctx.reply(ctx.t('shop-private-only'), inReply);
    return undefined;
  }
  return userId;
}

export function createShopMerchantFeature(deps: ShopMerchantDeps) {
  const composer = new Composer<BotContext>();
  const merchantOf = (ctx: CommandContext<BotContext>) => shopMerchantOf(deps.permissions, ctx);

  const translate = async (ctx: BotContext) => deps.translator.forLocale(await ctx.i18n.getLocale());

  function newProductRefusal(ctx: BotContext, problem: NewProductProblem, word: string | undefined): string {
    const token = deps.tokens.defaultToken;
    if (problem === 'missing_title') return ctx.t('shop-newproduct-missing-title', { token });
    if (problem === 'title_too_long') return ctx.t('shop-newproduct-title-too-long', { token, max: MAX_TITLE_LENGTH });
    return payRefusalText(ctx.t, problem, word, deps.tokens, 'newproduct');
  }

  composer.command('newproduct', async (ctx) => {
    const merchantUserId = await merchantOf(ctx);
    if (merchantUserId === undefined) return;
    const parsed = parseNewProduct(ctx.match, deps.tokens);
    if (!parsed.ok) {
      await ctx.reply(newProductRefusal(ctx, parsed.problem, parsed.word), {
        reply_parameters: replyTo(ctx.msg.message_id),
      });
      return;
    }
    const locale = await ctx.i18n.getLocale();
    const product = await deps.products.create({ merchantUserId, ...parsed.product, locale });
    ctx.logger.info({ productId: product.id, code: product.code }, 'product created');
    const card = renderProductCard(deps.translator.forLocale(locale), product, ctx.me.username);
    await ctx.reply(card.text, { reply_markup: card.replyMarkup, link_preview_options: { is_disabled: true } });
  });

  composer.command('setcontent', async (ctx) => {
    const merchantUserId = await merchantOf(ctx);
    if (merchantUserId === undefined) return;
    const inReply = { reply_parameters: replyTo(ctx.msg.message_id) };
    const code = ctx.match.trim();
    const original = ctx.msg.reply_to_message;
    if (!isProductCode(code) || !original) {
      await ctx.reply(ctx.t('shop-setcontent-usage', { code: isProductCode(code) ? code : 'CODE' }), inReply);
      return;
    }
    const content = contentOf(original);
    if (!content) {
      await ctx.reply(ctx.t('shop-setcontent-unsupported'), inReply);
      return;
    }
    const product = await deps.products.setContent(merchantUserId, code, content);
    if (!product) {
      await ctx.reply(ctx.t('shop-not-found', { code: escapeHtml(code) }), inReply);
      return;
    }
    ctx.logger.info({ productId: product.id, type: content.type }, 'product content set');
    const card = renderProductCard(await translate(ctx), product, ctx.me.username);
    await ctx.reply(`${ctx.t('shop-content-set')}\n\n${card.text}`, {
      ...inReply,
      reply_markup: card.replyMarkup,
      link_preview_options: { is_disabled: true },
    });
  });

  composer.command('addkeys', async (ctx) => {
    const merchantUserId = await merchantOf(ctx);
    if (merchantUserId === undefined) return;
    const inReply = { reply_parameters: replyTo(ctx.msg.message_id) };
    const parsed = parseAddKeys(ctx.match);
    if (!parsed.ok) {
      const texts = {
        usage: () => ctx.t('shop-addkeys-usage', { code: 'CODE' }),
        key_too_long: () => ctx.t('shop-addkeys-too-long', { max: MAX_KEY_LENGTH }),
        too_many_keys: () => ctx.t('shop-addkeys-too-many', { max: MAX_KEYS_PER_MESSAGE }),
      } satisfies Record<typeof parsed.problem, () => string>;
      await ctx.reply(texts[parsed.problem](), inReply);
      return;
    }
    const result = await deps.products.addKeys(merchantUserId, parsed.code, parsed.keys);
    if (!result) {
      await ctx.reply(ctx.t('shop-not-found', { code: escapeHtml(parsed.code) }), inReply);
      return;
    }
    const { product, added } = result;
    ctx.logger.info({ productId: product.id, added, sent: parsed.keys.length }, 'product keys added');
    const keys = await deps.products.keyCounts(product.id);
    const card = renderProductCard(await translate(ctx), product, ctx.me.username, { keys });
    const done = ctx.t('shop-addkeys-done', { added, skipped: parsed.keys.length - added });
    await ctx.reply(`${done}\n\n${card.text}`, {
      ...inReply,
      reply_markup: card.replyMarkup,
      link_preview_options: { is_disabled: true },
    });
  });

  composer.command('keys', async (ctx) => {
    const merchantUserId = await merchantOf(ctx);
    if (merchantUserId === undefined) return;
    const inReply = { reply_parameters: replyTo(ctx.msg.message_id) };
    const code = ctx.match.trim();
    if (!isProductCode(code)) {
      await ctx.reply(ctx.t('shop-keys-usage'), inReply);
      return;
    }
    const product = await deps.products.findOwned(merchantUserId, code);
    if (!product) {
      await ctx.reply(ctx.t('shop-not-found', { code: escapeHtml(code) }), inReply);
      return;
    }
    // Counts only: unsold keys are never shown in a chat.
    const counts = await deps.products.keyCounts(product.id);
    await ctx.reply(ctx.t('shop-keys-counts', { title: userText(product.title), ...counts }), inReply);
  });

  composer.command('products', async (ctx) => {
    const merchantUserId = await merchantOf(ctx);
    if (merchantUserId === undefined) return;
    const list = await deps.products.list(merchantUserId, PRODUCT_LIST_LIMIT);
    await ctx.reply(renderProductList(await translate(ctx), list, deps.tokens.defaultToken));
  });

  return composer;
}
