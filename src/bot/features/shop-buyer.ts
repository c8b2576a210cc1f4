import { type CommandContext, Composer } from 'grammy';
import type { ProductRow } from '../../db/schema.js';
import { translateOf } from '../../i18n/index.js';
import { UnconfirmedInvoiceError } from '../../invoices/issue.js';
import { type IssueLimit, issueRefusalText } from '../../invoices/issue-limit.js';
import type { InvoiceService } from '../../invoices/service.js';
import { SmartyPayError } from '../../payments/client.js';
import { isProductCode } from '../../products/rules.js';
import type { ProductSales } from '../../products/sales.js';
import type { ProductService } from '../../products/service.js';
import { formatUtc, money, payButton } from '../../views/messages.js';
import { renderProductOffer } from '../../views/product.js';
import type { BotContext } from '../context.js';
import { actorOf } from '../guard.js';
import { replyTo } from '../reply.js';

// The buyer's side of the shop: a product's link (https://t.me/<bot>?start=<code>) sends `/start <code>` to the
// bot in the buyer's private chat. The answer is the offer and an invoice bound to this buyer, made through the same
// path as /pay (issue limits, SMARTy Pay, the card through the outbox). While their invoice is open, opening the link
// again points at that invoice and asks SMARTy Pay for nothing.

export interface ShopBuyerDeps {
  products: Pick<ProductService, 'findByCode' | 'hasFreeKey'>;
  invoices: Pick<InvoiceService, 'findOpenForBuyer'>;
  sales: ProductSales;
  issueLimit: IssueLimit;
}

/** Why a product sells nothing now, as the i18n key of the buyer's sentence; undefined when it is on sale. */
function notOnSale(product: ProductRow | undefined): string | undefined {
  if (!product) return 'shop-unknown-link';
  if (product.state === 'deleted') return 'shop-gone';
  if (product.state === 'paused') return 'shop-paused';
  // A product sells its content, paid access (/setaccess), or both.
  return product.content || product.accessChatId !== null ? undefined : 'shop-not-ready';
}

export function createShopBuyerFeature(deps: ShopBuyerDeps) {
  const composer = new Composer<BotContext>();

  composer.command('start', async (ctx, next) => {
    const code = ctx.match.trim();
    // A plain /start, another deep link (`help`) or a group: the help answers.
    if (ctx.chat.type !== 'private' || !ctx.from || !isProductCode(code) || code === 'help') return next();
    await openProduct(ctx, code, ctx.from);
  });

  async function openProduct(
    ctx: CommandContext<BotContext>,
    code: string,
    from: NonNullable<BotContext['from']>,
  ): Promise<void> {
    const inReply = { reply_parameters: replyTo(ctx.msg.message_id) };
    const product = await deps.products.findByCode(code);
    const refusal = notOnSale(product);
    if (refusal || !product) {
      ctx.logger.info({ code, refusal }, 'product link refused');
      await ctx.reply(ctx.t(refusal ?? 'shop-unknown-link'), inReply);
      return;
    }
    const t = await translateOf(ctx);
    const open = await deps.invoices.findOpenForBuyer(product.id, from.id);
    const keys = product.content?.type === 'keys';
    // Sold out: said before the issue limit is taken; the key held in sales.sell settles a race, still before SMARTy
    // Pay is asked.
    if (!open && keys && !(await deps.products.hasFreeKey(product.id))) {
      await ctx.reply(ctx.t('shop-sold-out'), inReply);
      return;
    }
    if (open?.status === 'UnderPaid') {
      // Paying its full amount again would be a second payment: the card's "Pay the remaining" finishes it.
      const received = open.paidAmount && open.paidToken ? money(t, open.paidAmount, open.paidToken) : '';
      await ctx.reply(
        t('shop-invoice-underpaid', {
          id: String(open.id),
          received,
          amount: money(t, open.amount, open.token),
          at: formatUtc(t, open.expiresAt),
        }),
        { reply_parameters: replyTo(open.cardMessageId ?? ctx.msg.message_id) },
      );
      return;
    }
    if (open) {
      await ctx.reply(t('shop-invoice-open', { id: String(open.id), at: formatUtc(t, open.expiresAt) }), {
        reply_markup: { inline_keyboard: [[payButton(t, open)]] },
        reply_parameters: replyTo(open.cardMessageId ?? ctx.msg.message_id),
      });
      return;
    }
    // Taken before SMARTy Pay is asked, as for /pay: the buyer is the issuer.
    const limited = await deps.issueLimit.take(actorOf(ctx));
    if (limited) {
      ctx.logger.info({ userId: from.id, limit: limited }, 'product invoice rate limited');
      await ctx.reply(issueRefusalText(ctx.t, limited, deps.issueLimit), inReply);
      return;
    }
    try {
      const result = await deps.sales.sell(
        {
          product,
          buyer: {
            userId: from.id,
            name: [from.first_name, from.last_name].filter(Boolean).join(' '),
            username: from.username,
          },
          chatId: ctx.chat.id,
          startMessageId: ctx.msg.message_id,
          locale: t.locale,
          keys,
        },
        // The offer, then the invoice card (the outbox sends it once the invoice is committed).
        () => ctx.reply(renderProductOffer(t, product), inReply),
      );
      if (result.kind === 'sold_out') {
        ctx.logger.info({ productId: product.id }, 'the last key went to another buyer meanwhile');
        await ctx.reply(ctx.t('shop-sold-out'), inReply);
        return;
      }
      ctx.logger.info(
        { invoiceId: result.invoice.id, productId: product.id, outcome: result.kind },
        'product invoice issued',
      );
    } catch (error) {
      ctx.logger.error({ err: error, productId: product.id }, 'could not create the product invoice');
      const key =
        error instanceof UnconfirmedInvoiceError
          ? 'shop-failed-unconfirmed'
          : error instanceof SmartyPayError && error.kind === 'timeout'
            ? 'pay-failed-timeout'
            : 'pay-failed';
      await ctx.reply(ctx.t(key), inReply);
    }
  }

  return composer;
}
