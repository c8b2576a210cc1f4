import { Composer } from 'grammy';
import type { InlineKeyboardMarkup } from 'grammy/types';
import { type Translate, translateOf } from '../../i18n/index.js';
import type { InvoicePage, InvoiceReports } from '../../invoices/reports.js';
import { isNotModified } from '../../notify/failures.js';
import { money } from '../../notify/messages.js';
import { encodeCallbackData } from '../../telegram/callback-data.js';
import { onCallback } from '../callback.js';
import type { BotContext } from '../context.js';
import { ensureMerchant } from '../guard.js';
import type { Permissions } from '../permissions.js';
import { replyTo } from '../reply.js';
import { formatAge, statusLabel } from './report-format.js';

// /invoices: the chat's invoices, newest first, a page at a time; ‹ › buttons edit the same message.

export interface InvoiceListFeatureDeps {
  reports: InvoiceReports;
  permissions: Permissions;
  now?: (() => Date) | undefined;
}

export const PAGE_SIZE = 10;
const pageData = (offset: number) => encodeCallbackData('inv', { offset });

export function renderInvoicePage(
  t: Translate,
  page: InvoicePage,
  offset: number,
  now: Date,
): { text: string; replyMarkup?: InlineKeyboardMarkup } {
  if (page.total === 0) return { text: t('invoices-empty') };
  const lines = page.rows.map((row) =>
    t('invoices-line', {
      id: String(row.id),
      amount: money(t, row.amount, row.token),
      status: statusLabel(t, row.status),
      age: formatAge(t, now.getTime() - row.createdAt.getTime()),
    }),
  );
  const header = t('invoices-title', { from: offset + 1, to: offset + page.rows.length, total: page.total });
  const buttons = [];
  if (offset > 0) buttons.push({ text: t('invoices-newer'), callback_data: pageData(Math.max(0, offset - PAGE_SIZE)) });
  if (offset + PAGE_SIZE < page.total)
    buttons.push({ text: t('invoices-older'), callback_data: pageData(offset + PAGE_SIZE) });
  const text = [header, '', ...lines, '', t('invoices-hint')].join('\n');
  return buttons.length > 0 ? { text, replyMarkup: { inline_keyboard: [buttons] } } : { text };
}

export function createInvoiceListFeature(deps: InvoiceListFeatureDeps) {
  const now = deps.now ?? (() => new Date());
  const composer = new Composer<BotContext>();

  /** The page at `offset`, or the last page when invoices moved under the reader's feet. */
  async function loadPage(chatId: number, offset: number): Promise<{ page: InvoicePage; offset: number }> {
    const page = await deps.reports.page(chatId, offset, PAGE_SIZE);
    if (page.rows.length > 0 || page.total === 0 || offset === 0) return { page, offset };
    const last = Math.floor((page.total - 1) / PAGE_SIZE) * PAGE_SIZE;
    return { page: await deps.reports.page(chatId, last, PAGE_SIZE), offset: last };
  }

  composer.command('invoices', async (ctx) => {
    if (!(await ensureMerchant(ctx, deps.permissions))) return;
    const { page, offset } = await loadPage(ctx.chat.id, 0);
    const rendered = renderInvoicePage(await translateOf(ctx), page, offset, now());
    await ctx.reply(rendered.text, {
      reply_parameters: replyTo(ctx.msg.message_id),
      ...(rendered.replyMarkup && { reply_markup: rendered.replyMarkup }),
    });
  });

  onCallback(composer, 'inv', async (ctx, data) => {
    // ensureMerchant answers a refused tap itself (an alert); every other path answers here, errors included.
    if (!(await ensureMerchant(ctx, deps.permissions))) return;
    try {
      const chatId = ctx.chat?.id;
      if (chatId !== undefined) {
        const { page, offset } = await loadPage(chatId, data.offset);
        const rendered = renderInvoicePage(await translateOf(ctx), page, offset, now());
        await ctx
          .editMessageText(rendered.text, {
            ...(rendered.replyMarkup && { reply_markup: rendered.replyMarkup }),
          })
          .catch((error: unknown) => {
            // A double tap asks for the page already shown; anything else is a real failure.
            if (!isNotModified(error)) throw error;
          });
      }
      await ctx.answerCallbackQuery();
    } catch (error) {
      await ctx.answerCallbackQuery({ text: ctx.t('reports-failed') }).catch(() => {});
      throw error;
    }
  });

  return composer;
}
