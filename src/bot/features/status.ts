import { type CommandContext, Composer } from 'grammy';
import type { InlineKeyboardMarkup } from 'grammy/types';
import type { InvoiceRow } from '../../db/schema.js';
import { type Translate, translateOf } from '../../i18n/index.js';
import type { InvoiceService } from '../../invoices/service.js';
import { isOpenStatus } from '../../invoices/state-machine.js';
import { formatUtc, money, payButton, userText } from '../../notify/messages.js';
import type { BotContext } from '../context.js';
import { replyTo } from '../reply.js';
import { statusLabel } from './report-format.js';

// /status <invoice id>, or /status as a reply to an invoice card: anyone in the chat may ask, but only
// about this chat's invoices.

export interface StatusFeatureDeps {
  invoices: Pick<InvoiceService, 'findInChat' | 'findByMessage'>;
  now?: (() => Date) | undefined;
}

const INVOICE_ID = /^#?(\d{1,15})$/;

/** Still payable: the checkout link is worth showing (a cancelled invoice is no longer open). */
export function isPayable(invoice: InvoiceRow, now: Date): boolean {
  return isOpenStatus(invoice.status) && invoice.expiresAt > now;
}

export function renderStatus(
  t: Translate,
  invoice: InvoiceRow,
  now: Date,
): { text: string; replyMarkup?: InlineKeyboardMarkup } {
  const time = (date: Date) => formatUtc(t, date);
  const lines = [t('status-title', { id: String(invoice.id) }), `<b>${money(t, invoice.amount, invoice.token)}</b>`];
  lines.push(t('status-status', { status: statusLabel(t, invoice.status) }));
  if (invoice.paidAmount) {
    lines.push(t('status-received', { amount: money(t, invoice.paidAmount, invoice.paidToken ?? invoice.token) }));
  }
  lines.push(t('status-created', { time: time(invoice.createdAt) }));
  // "Expires" while that is ahead, "Expired" once it has passed.
  lines.push(t(invoice.expiresAt > now ? 'status-expires' : 'status-expired-at', { time: time(invoice.expiresAt) }));
  if (invoice.paidAt) lines.push(t('status-paid-at', { time: time(invoice.paidAt) }));
  if (invoice.cancelledAt) lines.push(t('status-cancelled-at', { time: time(invoice.cancelledAt) }));
  // The merchant's text last, quoted: nothing of the bot's follows it (see notify/messages.ts).
  const description = userText(invoice.description);
  if (description) lines.push(t('status-description', { description }));
  if (!isPayable(invoice, now)) return { text: lines.join('\n') };
  return {
    text: lines.join('\n'),
    replyMarkup: { inline_keyboard: [[payButton(t, invoice)]] },
  };
}

export function createStatusFeature(deps: StatusFeatureDeps) {
  const now = deps.now ?? (() => new Date());
  const composer = new Composer<BotContext>();

  composer.command('status', async (ctx: CommandContext<BotContext>) => {
    const inReply = replyTo(ctx.msg.message_id);
    const argument = ctx.match.trim();
    const repliedTo = ctx.msg.reply_to_message?.message_id;
    let invoice: InvoiceRow | undefined;
    if (argument !== '') {
      const id = INVOICE_ID.exec(argument)?.[1];
      if (!id) {
        await ctx.reply(ctx.t('status-usage'), { reply_parameters: inReply });
        return;
      }
      invoice = await deps.invoices.findInChat(ctx.chat.id, Number(id));
      if (!invoice) {
        await ctx.reply(ctx.t('status-not-found', { id }), { reply_parameters: inReply });
        return;
      }
    } else if (repliedTo !== undefined) {
      invoice = await deps.invoices.findByMessage(ctx.chat.id, repliedTo);
      if (!invoice) {
        await ctx.reply(ctx.t('status-not-an-invoice'), { reply_parameters: inReply });
        return;
      }
    } else {
      await ctx.reply(ctx.t('status-usage'), { reply_parameters: inReply });
      return;
    }
    const rendered = renderStatus(await translateOf(ctx), invoice, now());
    await ctx.reply(rendered.text, {
      reply_parameters: inReply,
      link_preview_options: { is_disabled: true },
      ...(rendered.replyMarkup && { reply_markup: rendered.replyMarkup }),
    });
  });

  return composer;
}
