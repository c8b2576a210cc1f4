import { Composer } from 'grammy';
import { translateOf } from '../../i18n/index.js';
import { sendContent } from '../../notify/deliver-content.js';
import type { ProductService } from '../../products/service.js';
import { renderKeyDelivery, renderPurchases } from '../../views/product.js';
import { onCallback } from '../callback.js';
import type { BotContext } from '../context.js';

// /purchases (anyone, in their private chat): what they bought in the shop, each with 📦 to get it again. The
// button names the invoice; it is served only to the buyer who paid it, in their private chat, as a copy again.

export interface ShopPurchasesDeps {
  products: Pick<ProductService, 'purchases' | 'purchase'>;
}

/** /purchases lists this many, newest first (one button each). */
export const PURCHASE_LIST_LIMIT = 20;

export function createShopPurchasesFeature(deps: ShopPurchasesDeps) {
  const composer = new Composer<BotContext>();

  composer.command('purchases', async (ctx) => {
    if (!ctx.from || ctx.chat.type !== 'private') {
      await ctx.reply(ctx.t('shop-purchases-private'));
      return;
    }
    const purchases = await deps.products.purchases(ctx.from.id, PURCHASE_LIST_LIMIT);
    const list = renderPurchases(await translateOf(ctx), purchases);
    await ctx.reply(list.text, { reply_markup: list.replyMarkup });
  });

  onCallback(composer, 'pget', async (ctx, { invoice }) => {
    const chatId = ctx.chat?.id;
    const found = chatId === ctx.from.id ? await deps.products.purchase(ctx.from.id, invoice) : undefined;
    const content = found?.product.content;
    if (!found || !content || chatId === undefined) {
      await ctx.answerCallbackQuery({ text: ctx.t('shop-again-unknown'), show_alert: true });
      return;
    }
    await ctx.answerCallbackQuery({ text: ctx.t('shop-again-sent') });
    if (content.type === 'keys') {
      await ctx.reply(renderKeyDelivery(await translateOf(ctx), found.product, found.key));
    } else {
      await sendContent(ctx.api, chatId, content, null);
    }
    ctx.logger.info({ invoiceId: invoice, productId: found.product.id }, 'purchase sent again');
  });

  return composer;
}
