import type { InvoiceRow, OutboxRow, ProductRow } from '../db/schema.js';
import type { MessageContent } from '../db/vocabulary.js';
import type { Translator } from '../i18n/index.js';
import { isOpenStatus } from '../invoices/state-machine.js';
import { type RenderedMessage, renderClosedCard, renderOpenCard } from '../views/messages.js';
import { renderKeyDelivery, renderSaleNotice } from '../views/product.js';
import { type PaymentFacts, renderPaymentReply, renderReminder } from '../views/replies.js';
import { saleReply, saleView } from '../views/sale.js';
import type { AccessRow } from './access-notices.js';
import { isEdit } from './claims.js';

// What an outbox row becomes at send time: rendered from the invoice as it is now. A new message (a reply) is in
// the chat's /lang choice, else the invoice's own locale; an edit of a card already sent stays in the language the
// card was sent in (the invoice's locale), so /lang never rewrites old cards into another language.

export type Notification =
  /** cardMessageId null: the card is an inline-mode message (invoice.inlineMessageId). */
  | { kind: 'edit'; cardMessageId: number | null; card: RenderedMessage }
  /** `isCard`: the invoice's card itself; the worker records the message id Telegram gives it. */
  | { kind: 'message'; message: RenderedMessage; replyTo: number | null; isCard?: boolean; chatId?: number }
  /** The shop: what a product delivers, sent as a copy in the buyer's chat. */
  | { kind: 'content'; content: MessageContent; replyTo: number | null }
  | { kind: 'skip'; note: string };

/** An outbox row about an invoice: every kind but paid access's own notices (./access-notices.ts sends those). */
export type InvoiceOutboxRow = Exclude<OutboxRow, AccessRow>;

/** The rows rendered here: an invoice's, except the access invite (./access-invite.ts: it needs its link first). */
export type RenderedRow = Exclude<InvoiceOutboxRow, { kind: 'access_invite' }>;

/** The shop's side of an invoice, read with it at send time. */
export interface ShopFacts {
  product: ProductRow | null;
  /** The key sold with this invoice (product_keys.sold_at set), if any. */
  soldKey: string | null;
}

export interface NotificationRendererDeps {
  translator: Translator;
  now: () => Date;
}

export function createNotificationRenderer(deps: NotificationRendererDeps) {
  function cardOf(invoice: InvoiceRow, other: InvoiceRow | undefined): RenderedMessage {
    const t = deps.translator.forLocale(invoice.locale);
    return isOpenStatus(invoice.status)
      ? renderOpenCard(t, invoice, deps.now())
      : renderClosedCard(t, invoice, saleView(t, invoice, other));
  }

  /**
   * `chatLocale`: the chat's /lang choice, read with the invoice (chat_settings.locale), if any. `linked`: the
   * other invoice of a sale paid in two parts (its remainder, or the original it completes), as it is now.
   * `shop`: the product the invoice sells (the shop) as it is now, and the key sold with it, if any.
   */
  return function render(
    row: RenderedRow,
    invoice: InvoiceRow,
    chatLocale: string | null,
    linked?: InvoiceRow | null,
    shop?: ShopFacts,
  ): Notification {
    const other = linked ?? undefined;
    const product = shop?.product;
    if (row.kind === 'delivery' || row.kind === 'sale_notice') {
      if (!product) return { kind: 'skip', note: 'the invoice sells no product' };
      if (row.kind === 'sale_notice') {
        // In the merchant's chat (the row's), in the language they created the product in.
        const t = deps.translator.forLocale(product.locale);
        const text = renderSaleNotice(t, product, invoice, row.payload, shop?.soldKey ?? null, other);
        return { kind: 'message', message: { text }, replyTo: null, chatId: row.chatId };
      }
      // Sales are refused while a product has no content, so this is only a product whose content was never set.
      if (!product.content) return { kind: 'skip', note: 'the product has no content to deliver' };
      if (product.content.type === 'keys') {
        const t = deps.translator.forLocale(chatLocale ?? invoice.locale);
        const text = renderKeyDelivery(t, product, shop?.soldKey ?? null);
        return { kind: 'message', message: { text }, replyTo: row.targetMessageId };
      }
      return { kind: 'content', content: product.content, replyTo: row.targetMessageId };
    }
    if (row.kind === 'new_card') {
      // The card as the invoice is now (open, or already closed if a payment beat it), in the language it is
      // issued in: later edits keep that language.
      return { kind: 'message', message: cardOf(invoice, other), replyTo: row.targetMessageId, isCard: true };
    }
    if (isEdit(row.kind)) {
      const t = deps.translator.forLocale(invoice.locale);
      if (invoice.inlineMessageId !== null) {
        // card_inline puts the card there; a later edit closes it. A closed inline card may sit in a chat the bot
        // is not in: no buttons that need the chat (Issue again).
        const card = isOpenStatus(invoice.status)
          ? renderOpenCard(t, invoice, deps.now())
          : { text: renderClosedCard(t, invoice).text };
        return { kind: 'edit', cardMessageId: null, card };
      }
      const cardMessageId = invoice.cardMessageId ?? row.targetMessageId;
      if (cardMessageId === null) return { kind: 'skip', note: 'the invoice card was never recorded; nothing to edit' };
      // The invoice as it is now, not as it was when this edit was queued: a late "Expired" edit must not
      // overwrite "Paid".
      return { kind: 'edit', cardMessageId, card: renderClosedCard(t, invoice, saleView(t, invoice, other)) };
    }
    const t = deps.translator.forLocale(chatLocale ?? invoice.locale);
    if (row.kind === 'reminder_reply') {
      // Paid, cancelled or expired since it was queued: a reminder would only confuse.
      if (!isOpenStatus(invoice.status)) return { kind: 'skip', note: `invoice is ${invoice.status} now` };
      return {
        kind: 'message',
        message: renderReminder(t, invoice, deps.now()),
        replyTo: row.targetMessageId ?? invoice.payMessageId,
      };
    }
    const facts = row.payload as PaymentFacts;
    // A remainder's messages belong to the sale: they reply to the original's /pay. An invoice issued again has no
    // /pay message: they reply to its own card.
    const replyTo =
      invoice.remainderOfInvoiceId !== null
        ? (other?.payMessageId ?? null)
        : (invoice.payMessageId ?? invoice.cardMessageId);
    const sale =
      row.kind === 'paid_reply' || row.kind === 'overpaid_reply' ? saleReply(t, invoice, other, facts) : undefined;
    const message = sale !== undefined ? { text: sale } : renderPaymentReply(t, row.kind, invoice, facts);
    return { kind: 'message', message, replyTo };
  };
}
