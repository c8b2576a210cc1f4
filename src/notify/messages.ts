import type { InlineKeyboardMarkup } from 'grammy/types';
import { compareDecimals, normaliseDecimal, subtractDecimals } from '../invoices/amount.js';

// Every chat-facing text of the payment flow, in Telegram HTML. User-supplied text is escaped here.

export interface CardInvoice {
  amount: string;
  token: string;
  description: string | null;
  status: string;
  expiresAt: Date;
  checkoutUrl: string;
  paidAmount?: string | null;
  paidToken?: string | null;
}

export interface RenderedMessage {
  text: string;
  replyMarkup?: InlineKeyboardMarkup;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function formatMoney(amount: string, token: string): string {
  return `${normaliseDecimal(amount)} ${token}`;
}

/** "26 Nov 2026, 08:20 UTC": unambiguous for merchants in any timezone. */
export function formatUtc(date: Date): string {
  const day = date.getUTCDate();
  const month = date.toLocaleString('en-GB', { month: 'short', timeZone: 'UTC' });
  const hh = String(date.getUTCHours()).padStart(2, '0');
  const mm = String(date.getUTCMinutes()).padStart(2, '0');
  return `${day} ${month} ${date.getUTCFullYear()}, ${hh}:${mm} UTC`;
}

function describe(invoice: CardInvoice): string[] {
  const lines = [`<b>${escapeHtml(formatMoney(invoice.amount, invoice.token))}</b>`];
  if (invoice.description) lines.push(`For: ${escapeHtml(invoice.description)}`);
  return lines;
}

/** The invoice card while it can be paid: one URL button to SMARTy Pay's checkout. */
export function renderOpenCard(invoice: CardInvoice, now: Date): RenderedMessage {
  const minutes = Math.max(0, Math.round((invoice.expiresAt.getTime() - now.getTime()) / 60_000));
  return {
    text: [
      '🧾 <b>Invoice</b>',
      ...describe(invoice),
      `Expires: ${formatUtc(invoice.expiresAt)} (in ${minutes} min)`,
      '',
      'Pay with crypto through SMARTy Pay. This message will confirm the payment.',
    ].join('\n'),
    replyMarkup: {
      inline_keyboard: [[{ text: `💳 Pay ${formatMoney(invoice.amount, invoice.token)}`, url: invoice.checkoutUrl }]],
    },
  };
}

/** The card once it can no longer be paid. Sent without reply_markup, which removes the Pay button. */
export function renderClosedCard(invoice: CardInvoice): RenderedMessage {
  const headline: Record<string, string> = {
    Paid: '✅ <b>Paid</b>',
    SimplePaid: '✅ <b>Paid</b>',
    OverPaid: '✅ <b>Paid</b> (more than due)',
    Withdrawn: '✅ <b>Paid</b>',
    UnderPaid: '⚠️ <b>Partly paid</b>',
    Invalid: '❌ <b>Payment failed</b>',
    Expired: '⌛ <b>Expired</b>',
  };
  const lines = [headline[invoice.status] ?? `<b>${escapeHtml(invoice.status)}</b>`, ...describe(invoice)];
  if (invoice.paidAmount && invoice.paidToken) {
    lines.push(`Received: ${escapeHtml(formatMoney(invoice.paidAmount, invoice.paidToken))}`);
  }
  return { text: lines.join('\n') };
}

export interface PaymentFacts {
  status: string;
  previousStatus: string;
  paidAmount?: string | undefined;
  paidToken?: string | undefined;
}

function received(invoice: CardInvoice, facts: PaymentFacts): string {
  const value = facts.paidAmount ?? invoice.amount;
  return escapeHtml(formatMoney(value, facts.paidToken ?? invoice.token));
}

export function renderPaymentReply(kind: string, invoice: CardInvoice, facts: PaymentFacts): RenderedMessage {
  const what = invoice.description ? ` for “${escapeHtml(invoice.description)}”` : '';
  const afterExpiry = facts.previousStatus === 'Expired' ? ' (after the invoice had expired)' : '';
  switch (kind) {
    case 'paid_reply':
      return { text: `✅ Payment received${afterExpiry}: <b>${received(invoice, facts)}</b>${what}.` };
    case 'overpaid_reply': {
      const sameToken = !facts.paidToken || facts.paidToken === invoice.token;
      const excess =
        sameToken && facts.paidAmount && compareDecimals(facts.paidAmount, invoice.amount) > 0
          ? ` That is ${escapeHtml(formatMoney(subtractDecimals(facts.paidAmount, invoice.amount), invoice.token))} more than the ${escapeHtml(formatMoney(invoice.amount, invoice.token))} due; settle the difference with the customer.`
          : ' That is more than was due; settle the difference with the customer.';
      return { text: `✅ Payment received${afterExpiry}: <b>${received(invoice, facts)}</b>${what}.${excess}` };
    }
    case 'underpaid_reply':
      return {
        text:
          `⚠️ Partial payment${what}: <b>${received(invoice, facts)}</b> received of ` +
          `<b>${escapeHtml(formatMoney(invoice.amount, invoice.token))}</b> due. ` +
          'The invoice is not paid; agree with the customer how to settle the rest.',
      };
    case 'invalid_reply':
      return {
        text: `❌ The payment${what} failed at SMARTy Pay and nothing was credited. Issue a new invoice with /pay to try again.`,
      };
    default:
      throw new Error(`no reply text for notification kind ${kind}`);
  }
}
