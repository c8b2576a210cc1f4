import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'grammy/types';
import type { InvoiceStatus } from '../db/vocabulary.js';
import type { Translate } from '../i18n/index.js';
import { cleanUserText } from '../invoices/user-text.js';
import { encodeCallbackData } from '../telegram/callback-data.js';
import { formatMoney } from './numbers.js';

// The invoice card, in Telegram HTML, in the language of `t`. User-supplied text is escaped here.
// Payment replies live in ./replies.ts.
//
// Layout, so a description can never pass for the bot's own lines: the bot's lines come first, in a fixed
// order (headline, amount, what was received, expiry), their facts in bold; the description comes after
// them, as one cleaned line, labelled and quoted in italics (`For: “…”`), never bold.

export interface CardInvoice {
  /** The bot's invoice number, shown as "Invoice #12" (what /cancel 12 and /status 12 take). */
  id: number;
  amount: string;
  token: string;
  description: string | null;
  status: InvoiceStatus;
  expiresAt: Date;
  checkoutUrl: string;
  paidAmount?: string | null;
  paidToken?: string | null;
  /** A remainder invoice ("Pay the remaining"): the invoice it completes. */
  remainderOfInvoiceId?: number | null;
  /** The shop: the product it sells. Its expired card offers no "Issue again" (a merchant's button, in the buyer's chat). */
  productId?: number | null;
}

/** What a card shows beyond its own row when it is part of a sale paid in two parts (see ./sale.ts). */
export interface SaleView {
  /** An UnderPaid original: Z of "Pay the remaining Z", formatted. */
  rest?: string | undefined;
  /** The original once its remainder was paid: the total and its two parts, formatted. */
  paidInParts?: { total: string; first: string; second: string } | undefined;
  /** A remainder left unpaid because its original was paid in full on its own: the original's number. */
  notNeededFor?: number | undefined;
  /** Paid as SMARTy Pay says, but less than due in the same token: what arrived and what was due, formatted. */
  short?: { paid: string; due: string } | undefined;
}

export interface RenderedMessage {
  text: string;
  replyMarkup?: InlineKeyboardMarkup;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** An amount as the reader of `t` writes it ("14.5 bUSDT" / "14,5 bUSDT"), escaped for Telegram HTML. */
export function money(t: Translate, amount: string, token: string): string {
  return escapeHtml(formatMoney(amount, token, t.locale));
}

/** "26 Nov 2026, 08:20 UTC" / "26 нояб. 2026, 08:20 UTC": unambiguous for merchants in any timezone. */
export function formatUtc(t: Translate, date: Date): string {
  const hh = String(date.getUTCHours()).padStart(2, '0');
  const mm = String(date.getUTCMinutes()).padStart(2, '0');
  // Strings, not numbers: Fluent would group a year as "2,026". The month only selects a name.
  return t('date-utc', {
    day: String(date.getUTCDate()),
    month: date.getUTCMonth() + 1,
    year: String(date.getUTCFullYear()),
    time: `${hh}:${mm}`,
  });
}

/** Whole minutes until `expiresAt`, as a string (Fluent would group a number: "1,440"). */
export function minutesLeft(expiresAt: Date, now: Date): string {
  return String(Math.max(0, Math.round((expiresAt.getTime() - now.getTime()) / 60_000)));
}

/**
 * A description as one escaped line of Telegram HTML, or '' when nothing visible is left. Cleaned again
 * here because rows stored before descriptions were cleaned at parse time still hold line breaks and bidi
 * overrides.
 */
export function userText(description: string | null | undefined): string {
  return description ? escapeHtml(cleanUserText(description)) : '';
}

/** ` for “Coffee”` (escaped), or nothing without a description. */
export function forWhat(t: Translate, description: string | null): string {
  const text = userText(description);
  return text ? ` ${t('payment-for', { description: text })}` : '';
}

/** `For: “Coffee”` as the card's last fact line, or nothing without a description. */
function descriptionLines(t: Translate, description: string | null): string[] {
  const text = userText(description);
  return text ? [t('card-for', { description: text })] : [];
}

export function payButton(t: Translate, invoice: CardInvoice): InlineKeyboardButton {
  return {
    text: t('card-button-pay', { amount: formatMoney(invoice.amount, invoice.token, t.locale) }),
    url: invoice.checkoutUrl,
  };
}

function amountLine(t: Translate, invoice: CardInvoice): string {
  return `<b>${money(t, invoice.amount, invoice.token)}</b>`;
}

/** The invoice card while it can be paid: Pay (SMARTy Pay's checkout) and Check status. */
export function renderOpenCard(t: Translate, invoice: CardInvoice, now: Date): RenderedMessage {
  return {
    text: [
      t('card-title', { id: String(invoice.id) }),
      amountLine(t, invoice),
      ...(invoice.remainderOfInvoiceId
        ? [t('card-remainder-of', { original: String(invoice.remainderOfInvoiceId) })]
        : []),
      t('card-expires', { at: formatUtc(t, invoice.expiresAt), minutes: minutesLeft(invoice.expiresAt, now) }),
      ...descriptionLines(t, invoice.description),
      '',
      t('card-footer'),
    ].join('\n'),
    replyMarkup: {
      inline_keyboard: [
        [payButton(t, invoice)],
        [{ text: t('card-button-check'), callback_data: encodeCallbackData('chk', { id: invoice.id }) }],
      ],
    },
  };
}

interface ClosedCard {
  /** The headline's i18n key; null: the status's own name (an open invoice has no closed card). */
  headline: string | null;
  /** A line after the facts. */
  note?: string;
  /** Expired: Issue again. UnderPaid: Pay the remaining (when it can be offered) and Check status. */
  buttons: 'issue_again' | 'pay_rest_and_check' | 'none';
}

const CLOSED_CARDS: Record<InvoiceStatus, ClosedCard> = {
  Unconfirmed: { headline: null, buttons: 'none' },
  Created: { headline: null, buttons: 'none' },
  Confirming: { headline: null, buttons: 'none' },
  Expired: { headline: 'card-expired', buttons: 'issue_again' },
  Cancelled: { headline: 'card-cancelled', note: 'card-cancelled-note', buttons: 'none' },
  UnderPaid: { headline: 'card-underpaid', buttons: 'pay_rest_and_check' },
  Invalid: { headline: 'card-invalid', buttons: 'none' },
  Paid: { headline: 'card-paid', buttons: 'none' },
  SimplePaid: { headline: 'card-paid', buttons: 'none' },
  OverPaid: { headline: 'card-overpaid', buttons: 'none' },
  Withdrawn: { headline: 'card-paid', buttons: 'none' },
};

/**
 * The card once it can no longer be paid through its own Pay button (an edit without it removes it). An expired
 * card offers "Issue again"; a partly paid one keeps "Check status" and offers "Pay the remaining Z".
 */
export function renderClosedCard(t: Translate, invoice: CardInvoice, sale: SaleView = {}): RenderedMessage {
  const id = String(invoice.id);
  if (sale.paidInParts) {
    const lines = [t('card-paid-in-parts', { id }), amountLine(t, invoice), t('card-received-parts', sale.paidInParts)];
    return { text: [...lines, ...descriptionLines(t, invoice.description)].join('\n') };
  }
  if (sale.notNeededFor !== undefined) {
    const original = String(sale.notNeededFor);
    const lines = [t('card-not-needed', { id }), amountLine(t, invoice), ...descriptionLines(t, invoice.description)];
    return { text: [...lines, '', t('card-not-needed-note', { original })].join('\n') };
  }
  const card = CLOSED_CARDS[invoice.status];
  const headline = card.headline ? t(card.headline, { id }) : `<b>${escapeHtml(invoice.status)}</b>`;
  const lines = [headline, amountLine(t, invoice)];
  if (invoice.paidAmount && invoice.paidToken) {
    lines.push(t('card-received', { amount: money(t, invoice.paidAmount, invoice.paidToken) }));
  }
  if (sale.short) lines.push(t('card-paid-short', sale.short));
  lines.push(...descriptionLines(t, invoice.description));
  if (card.note) lines.push('', t(card.note));
  const buttons: InlineKeyboardButton[][] = [];
  // A product's buyer opens the product's link again instead.
  if (card.buttons === 'issue_again' && (invoice.productId ?? null) === null) {
    buttons.push([{ text: t('card-button-again'), callback_data: encodeCallbackData('again', { id: invoice.id }) }]);
  }
  if (card.buttons === 'pay_rest_and_check') {
    // SMARTy Pay documents no top-up of the same invoice: the rest is a second invoice, linked to this one.
    if (sale.rest) {
      const text = t('card-button-rest', { amount: sale.rest });
      buttons.push([{ text, callback_data: encodeCallbackData('rest', { id: invoice.id }) }]);
    }
    buttons.push([{ text: t('card-button-check'), callback_data: encodeCallbackData('chk', { id: invoice.id }) }]);
  }
  const text = lines.join('\n');
  return buttons.length > 0 ? { text, replyMarkup: { inline_keyboard: buttons } } : { text };
}
