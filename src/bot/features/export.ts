import { Composer, GrammyError, InputFile } from 'grammy';
import { invoicesCsv } from '../../invoices/csv.js';
import type { InvoiceReports } from '../../invoices/reports.js';
import { escapeHtml } from '../../notify/messages.js';
import type { BotContext } from '../context.js';
import { ensureMerchant } from '../guard.js';
import { GROUP_ANONYMOUS_BOT_ID, type Permissions } from '../permissions.js';
import { replyTo } from '../reply.js';

// /export: the chat's invoices as a CSV document, sent to the merchant privately (a group should not
// see every customer's payment), newest first and bounded.

export interface ExportFeatureDeps {
  reports: InvoiceReports;
  permissions: Permissions;
  now?: (() => Date) | undefined;
  /** Most rows in one file. */
  maxRows?: number;
}

export const EXPORT_MAX_ROWS = 10_000;

export function createExportFeature(deps: ExportFeatureDeps) {
  const now = deps.now ?? (() => new Date());
  const maxRows = deps.maxRows ?? EXPORT_MAX_ROWS;
  const composer = new Composer<BotContext>();

  composer.command('export', async (ctx) => {
    const reply = (text: string) =>
      ctx.reply(text, {
        reply_parameters: replyTo(ctx.msg.message_id),
        link_preview_options: { is_disabled: true },
      });
    if (!(await ensureMerchant(ctx, deps.permissions))) return;
    const userId = ctx.from?.id;
    // An anonymous admin passes as the group itself, and there is nobody to send a private file to.
    if (userId === undefined || userId === GROUP_ANONYMOUS_BOT_ID || ctx.msg.sender_chat) {
      await reply(ctx.t('export-anonymous'));
      return;
    }

    const { rows, truncated } = await deps.reports.exportRows(ctx.chat.id, maxRows);
    if (rows.length === 0) {
      await reply(ctx.t('export-empty'));
      return;
    }
    const chatName = ctx.chat.type === 'private' ? ctx.t('export-private-chat') : (ctx.chat.title ?? '');
    const caption = [
      ctx.t('export-caption', { chat: escapeHtml(chatName), count: rows.length }),
      ...(truncated ? [ctx.t('export-truncated', { max: maxRows })] : []),
    ].join('\n');
    const date = now().toISOString().slice(0, 10);
    const file = new InputFile(invoicesCsv(rows), `invoices-${ctx.chat.id}-${date}.csv`);
    try {
      await ctx.api.sendDocument(userId, file, { caption });
    } catch (error) {
      if (error instanceof GrammyError && error.error_code === 403) {
        ctx.logger.info({ userId }, '/export: the merchant has no private chat with the bot');
        await reply(ctx.t('export-start-private', { link: `https://t.me/${ctx.me.username}` }));
        return;
      }
      ctx.logger.error({ err: error, userId }, '/export: sending the CSV failed');
      await reply(ctx.t('reports-failed'));
      return;
    }
    if (ctx.chat.id !== userId) await reply(ctx.t('export-sent-privately'));
  });

  return composer;
}
