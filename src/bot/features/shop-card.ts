import { Composer } from 'grammy';
import type { ProductRow } from '../../db/schema.js';
import { translateOf } from '../../i18n/index.js';
import type { Permissions } from '../../merchants/permissions.js';
import { isNotModified } from '../../notify/failures.js';
import type { ProductService } from '../../products/service.js';
import type { CallbackAction } from '../../telegram/callback-data.js';
import { renderProductCard } from '../../views/product.js';
import { type CallbackContext, onCallback } from '../callback.js';
import type { BotContext } from '../context.js';

// The product card's buttons, for its merchant only: ⏸ Pause / ▶️ Resume, and 🗑 Delete with a confirmation
// (✅ Yes, delete / ↩️ Keep it). A deleted product keeps its history; its link then says it is gone. Every tap is
// answered; the card is edited in place to show the new state.

export interface ShopCardDeps {
  products: Pick<ProductService, 'findOwnedById' | 'setState' | 'keyCounts'>;
  permissions: Permissions;
}

type ProductAction = Extract<CallbackAction, 'ppause' | 'presume' | 'pdel' | 'pdelok' | 'pkeep'>;

export function createShopCardFeature(deps: ShopCardDeps) {
  const composer = new Composer<BotContext>();

  /** The tapper's product `id`, or undefined after answering why not (not a merchant, not theirs). */
  async function ownProduct(ctx: CallbackContext, id: number): Promise<ProductRow | undefined> {
    const userId = ctx.from.id;
    const refusal = await deps.permissions.refusal({ userId, chatId: userId, chatType: 'private' });
    if (refusal !== undefined) {
      await ctx.answerCallbackQuery({ text: ctx.t(`perm-${refusal.replace('_', '-')}`), show_alert: true });
      return undefined;
    }
    const product = await deps.products.findOwnedById(userId, id);
    if (!product) await ctx.answerCallbackQuery({ text: ctx.t('perm-not-merchant'), show_alert: true });
    return product;
  }

  async function showCard(ctx: CallbackContext, product: ProductRow, confirmDelete = false): Promise<void> {
    const keys = product.content?.type === 'keys' ? await deps.products.keyCounts(product.id) : undefined;
    const card = renderProductCard(await translateOf(ctx), product, ctx.me.username, { confirmDelete, keys });
    await ctx
      .editMessageText(card.text, { reply_markup: card.replyMarkup, link_preview_options: { is_disabled: true } })
      .catch((error: unknown) => {
        if (!isNotModified(error)) ctx.logger.warn({ err: error, productId: product.id }, 'could not edit the card');
      });
  }

  /** What each button does: a new state (and the tap's answer), or only another view of the card. */
  const STATE_CHANGES = {
    ppause: { state: 'paused', answer: 'shop-paused-done' },
    presume: { state: 'active', answer: 'shop-resumed-done' },
    pdelok: { state: 'deleted', answer: 'shop-deleted-done' },
  } as const satisfies Partial<Record<ProductAction, { state: ProductRow['state']; answer: string }>>;

  for (const action of ['ppause', 'presume', 'pdelok'] as const) {
    onCallback(composer, action, async (ctx, { id }) => {
      const product = await ownProduct(ctx, id);
      if (!product) return;
      const change = STATE_CHANGES[action];
      const changed = await deps.products.setState(ctx.from.id, id, change.state);
      if (!changed) {
        await ctx.answerCallbackQuery({ text: ctx.t('shop-already-deleted') });
        await showCard(ctx, product);
        return;
      }
      ctx.logger.info({ productId: id, state: change.state }, 'product state changed');
      await ctx.answerCallbackQuery({ text: ctx.t(change.answer) });
      await showCard(ctx, changed);
    });
  }

  for (const action of ['pdel', 'pkeep'] as const) {
    onCallback(composer, action, async (ctx, { id }) => {
      const product = await ownProduct(ctx, id);
      if (!product) return;
      await ctx.answerCallbackQuery();
      await showCard(ctx, product, action === 'pdel' && product.state !== 'deleted');
    });
  }

  return composer;
}
