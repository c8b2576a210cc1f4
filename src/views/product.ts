import type { InlineKeyboardButton } from 'grammy/types';
import type { InvoiceRow, ProductRow } from '../db/schema.js';
import type { ProductState, SaleFacts } from '../db/vocabulary.js';
import { compareDecimals, subtractDecimals } from '../decimal.js';
import type { Translate } from '../i18n/index.js';
import { isPaidStatus, PLAIN_DECIMAL_PATTERN } from '../invoices/state-machine.js';
import { cleanUserText } from '../invoices/user-text.js';
import { deliversNothing } from '../products/rules.js';
import type { KeyCounts, ProductSummary, Purchase } from '../products/service.js';
import { encodeCallbackData } from '../telegram/callback-data.js';
import { renderAccessLine } from './access.js';
import { escapeHtml, formatUtc, money, type RenderedMessage, userText } from './messages.js';

// The shop's texts, in Telegram HTML: the product card the merchant sees, the offer a buyer sees when they open its
// link, the /products list and the merchant's sale notice. What a product delivers is sent as it was given
// (src/notify/deliver-content.ts), never rendered here.

/** The link anyone can open to buy it. */
export function productLink(botUsername: string, code: string): string {
  return `https://t.me/${botUsername}?start=${code}`;
}

const state = (t: Translate, value: ProductState) => t(`shop-state-${value}`);

/**
 * The merchant's card: title, price, what it delivers, its state, code and link, with ⏸ Pause or ▶️ Resume and
 * 🗑 Delete (none once deleted). `confirmDelete`: the Delete tap's question instead of those buttons.
 */
export function renderProductCard(
  t: Translate,
  product: ProductRow,
  botUsername: string,
  options: { confirmDelete?: boolean; keys?: KeyCounts | undefined } = {},
): RenderedMessage {
  const { confirmDelete = false, keys } = options;
  const access = renderAccessLine(t, product);
  // A product that only grants access says so where the content would be; one with both shows both.
  const delivers =
    !product.content && access !== undefined
      ? access
      : t('shop-card-delivers', { what: t(`shop-delivers-${product.content?.type ?? 'none'}`) });
  const extra = product.content && access !== undefined ? [access] : [];
  const card = t('shop-card', {
    title: userText(product.title),
    price: money(t, product.amount, product.token),
    delivers,
    state: state(t, product.state),
    code: product.code,
    link: escapeHtml(productLink(botUsername, product.code)),
  });
  const needsContent = deliversNothing(product) && product.state !== 'deleted';
  const stock = keys && product.content?.type === 'keys' ? [t('shop-card-stock', { free: keys.free })] : [];
  const hint = needsContent ? ['', t('shop-card-needs-content', { code: product.code })] : [];
  const text = [card, ...extra, ...stock, ...hint].join('\n');
  if (product.state === 'deleted') return { text };
  const id = { id: product.id };
  if (confirmDelete) {
    return {
      text: `${text}\n\n${t('shop-delete-question')}`,
      replyMarkup: {
        inline_keyboard: [
          [
            { text: t('shop-button-delete-yes'), callback_data: encodeCallbackData('pdelok', id) },
            { text: t('shop-button-keep'), callback_data: encodeCallbackData('pkeep', id) },
          ],
        ],
      },
    };
  }
  const toggle =
    product.state === 'active'
      ? { text: t('shop-button-pause'), callback_data: encodeCallbackData('ppause', id) }
      : { text: t('shop-button-resume'), callback_data: encodeCallbackData('presume', id) };
  const rows: InlineKeyboardButton[][] = [
    [toggle, { text: t('shop-button-delete'), callback_data: encodeCallbackData('pdel', id) }],
  ];
  // Share: `@bot <code>` in any chat the merchant picks, which posts the product with its Buy button.
  if (product.state === 'active') rows.unshift([{ text: t('shop-button-share'), switch_inline_query: product.code }]);
  return { text, replyMarkup: { inline_keyboard: rows } };
}

/** What a buyer sees above their invoice card. */
export function renderProductOffer(t: Translate, product: ProductRow): string {
  return t('shop-offer', { title: userText(product.title), price: money(t, product.amount, product.token) });
}

export function renderProductList(
  t: Translate,
  list: { items: ProductSummary[]; total: number },
  defaultToken: string,
): string {
  if (list.items.length === 0) return t('shop-list-empty', { token: defaultToken });
  const lines = list.items.map(({ product, sales, revenue, stock }) =>
    t('shop-list-item', {
      stock: stock === null ? '—' : t('shop-list-stock', { free: stock }),
      code: product.code,
      title: userText(product.title),
      price: money(t, product.amount, product.token),
      sales: String(sales),
      revenue: money(t, revenue, product.token),
      state: state(t, product.state),
    }),
  );
  const more =
    list.total > list.items.length ? [t('shop-list-more', { shown: list.items.length, total: list.total })] : [];
  return [t('shop-list-title'), ...lines, ...more].join('\n');
}

/**
 * The merchant's notice of a payment for their product: product, buyer, amount and invoice number, and a line for
 * each thing that is not a plain sale — partly paid (nothing delivered), marked paid yet short, overpaid, another
 * token, after expiry or cancellation, while the product was paused or deleted, or a second payment of a sale paid
 * in two parts (nothing delivered: to refund). A failed (Invalid) payment gets a notice of its own.
 */
export function renderSaleNotice(
  t: Translate,
  product: ProductRow,
  invoice: InvoiceRow,
  facts: SaleFacts,
  soldKey: string | null,
  /** The other invoice of a two-part sale, if any. */
  linked?: InvoiceRow | undefined,
): string {
  const name = escapeHtml(invoice.buyerName ?? '');
  const id = String(invoice.issuedByUserId ?? '');
  const buyer = invoice.buyerUsername
    ? t('shop-sale-buyer', { name, username: `@${escapeHtml(invoice.buyerUsername)}`, id })
    : t('shop-sale-buyer-no-username', { name, id });
  if (facts.status === 'Invalid') {
    return [
      t('shop-sale-invalid', { title: userText(product.title), code: product.code, invoice: invoice.id }),
      buyer,
    ].join('\n');
  }
  const paidAmount = facts.paidAmount ?? invoice.paidAmount ?? '0';
  const paidToken = facts.paidToken ?? invoice.paidToken ?? invoice.token;
  const lines = [
    t('shop-sale-title', { title: userText(product.title), code: product.code }),
    buyer,
    t('shop-sale-amount', {
      paid: money(t, paidAmount, paidToken),
      due: money(t, invoice.amount, invoice.token),
      invoice: invoice.id,
    }),
  ];
  const sameToken = paidToken === invoice.token && new RegExp(PLAIN_DECIMAL_PATTERN).test(paidAmount);
  if (!sameToken) lines.push(t('shop-sale-other-token'));
  if (facts.status === 'UnderPaid') {
    const missing = sameToken ? money(t, subtractDecimals(invoice.amount, paidAmount), invoice.token) : '?';
    lines.push(t('shop-sale-underpaid', { missing }));
  } else if (facts.status === 'OverPaid' || (sameToken && compareDecimals(paidAmount, invoice.amount) > 0)) {
    lines.push(t('shop-sale-overpaid'));
  }
  // The other invoice of its two-part sale was paid already (and delivered): this one delivered nothing.
  const paidTwice = linked !== undefined && facts.linkedStatus != null && isPaidStatus(facts.linkedStatus);
  if (paidTwice) {
    lines.push(t('shop-sale-paid-twice', { other: linked.id }));
  } else if (facts.status === 'Paid' && sameToken && compareDecimals(paidAmount, invoice.amount) < 0) {
    lines.push(
      t('shop-sale-paid-short', { missing: money(t, subtractDecimals(invoice.amount, paidAmount), invoice.token) }),
    );
  }
  if (!paidTwice && facts.status !== 'UnderPaid' && product.content?.type === 'keys') {
    // The key itself stays out of the notice: the merchant's chat is no place for sold keys either.
    lines.push(soldKey === null ? t('shop-sale-no-key') : t('shop-sale-key-sent'));
  }
  // "Delivered anyway" lines: a second payment delivered nothing.
  if (facts.status !== 'UnderPaid' && !paidTwice) {
    if (facts.previousStatus === 'Expired' || facts.previousStatus === 'Cancelled') lines.push(t('shop-sale-late'));
    if (facts.productState !== 'active')
      lines.push(t('shop-sale-while-paused', { state: state(t, facts.productState) }));
  }
  return lines.join('\n');
}

/** A keys product's delivery: the buyer's key, or, when none was left for a late payment, what happens now. */
export function renderKeyDelivery(t: Translate, product: ProductRow, soldKey: string | null): string {
  const title = userText(product.title);
  return soldKey === null
    ? t('shop-key-none', { title })
    : t('shop-key-delivered', { title, key: escapeHtml(soldKey) });
}

/** /purchases: what the buyer paid for, newest first, each with a button to get it again. */
export function renderPurchases(t: Translate, purchases: readonly Purchase[]): RenderedMessage {
  if (purchases.length === 0) return { text: t('shop-purchases-empty') };
  const lines = purchases.map(({ invoice, product }) =>
    t('shop-purchases-item', {
      title: userText(product.title),
      amount: money(t, invoice.amount, invoice.token),
      invoice: String(invoice.id),
      at: formatUtc(t, invoice.paidAt ?? invoice.createdAt),
    }),
  );
  return {
    text: [t('shop-purchases-title'), ...lines].join('\n'),
    replyMarkup: {
      inline_keyboard: purchases.map(({ invoice, product }) => [
        {
          text: t('shop-button-again', { title: cleanUserText(product.title), invoice: String(invoice.id) }),
          callback_data: encodeCallbackData('pget', { invoice: invoice.id }),
        },
      ]),
    },
  };
}

/** Inline mode: the post `@bot <code>` offers, for any chat or channel: title, price and a 🛒 Buy link button. */
export function renderProductPost(t: Translate, product: ProductRow, botUsername: string): RenderedMessage {
  return {
    text: t('shop-post', { title: userText(product.title), price: money(t, product.amount, product.token) }),
    replyMarkup: { inline_keyboard: [[{ text: t('shop-button-buy'), url: productLink(botUsername, product.code) }]] },
  };
}
