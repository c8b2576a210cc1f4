import { Composer } from 'grammy';
import type { InlineQueryResultArticle } from 'grammy/types';
import { translateOf } from '../../i18n/index.js';
import { parsePayCommand } from '../../invoices/pay-command.js';
import type { Permissions } from '../../merchants/permissions.js';
import type { TokenPolicy } from '../../payments/currencies.js';
import type { ProductService } from '../../products/service.js';
import { formatMoney } from '../../views/numbers.js';
import { renderProductPost } from '../../views/product.js';
import type { BotContext } from '../context.js';

// Inline mode for the shop: the merchant types `@bot <code>` (the card's 📣 Share fills it in) or a word of a
// title in any chat or channel, even one the bot is not in, and posts the product with a 🛒 Buy URL button to its
// link. A query that reads as an amount (`@bot 10 bUSDT coffee`) is an inline invoice (./inline.ts), as is anything
// that finds no product; so is everyone who is not a merchant of the shop (that feature refuses them).

export interface ShopInlineDeps {
  products: Pick<ProductService, 'search'>;
  permissions: Permissions;
  tokens: TokenPolicy;
}

/** Result ids of product posts start with this; a draft id (base64url) never contains `:`. */
const RESULT_PREFIX = 'product:';
const RESULTS = 10;

export function createShopInlineFeature(deps: ShopInlineDeps) {
  const composer = new Composer<BotContext>();

  composer.on('inline_query', async (ctx, next) => {
    const query = ctx.inlineQuery.query.trim();
    const userId = ctx.from.id;
    if (query === '' || parsePayCommand(query, deps.tokens).ok) return next();
    if ((await deps.permissions.refusal({ userId, chatId: userId, chatType: 'private' })) !== undefined) return next();
    const found = await deps.products.search(userId, query, RESULTS);
    if (found.length === 0) return next();
    const t = await translateOf(ctx);
    const results: InlineQueryResultArticle[] = found.map((product) => {
      const post = renderProductPost(t, product, ctx.me.username);
      return {
        type: 'article',
        id: `${RESULT_PREFIX}${product.code}`,
        title: product.title,
        description: t('shop-inline-description', { price: formatMoney(product.amount, product.token, t.locale) }),
        input_message_content: { message_text: post.text, link_preview_options: { is_disabled: true } },
        ...(post.replyMarkup && { reply_markup: post.replyMarkup }),
      };
    });
    await ctx.answerInlineQuery(results, { cache_time: 0, is_personal: true });
  });

  // A posted product needs nothing more: its button is a link. Kept from the invoice drafts' handler.
  composer.on('chosen_inline_result', (ctx, next) =>
    ctx.chosenInlineResult.result_id.startsWith(RESULT_PREFIX) ? undefined : next(),
  );

  return composer;
}
