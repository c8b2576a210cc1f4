import { type CommandContext, Composer } from 'grammy';
import type { InvoiceRow } from '../../db/schema.js';
import { isPaidStatus } from '../../invoices/status.js';
import type { BotContext } from '../context.js';
import { ensureMerchant } from '../guard.js';
import { replyTo } from '../reply.js';
import type { LifecycleFeatureDeps } from './lifecycle-deps.js';
import { statusLabel } from './report-format.js';

// /cancel, as a reply to an invoice card (or the /pay message), or /cancel 12 with the card's number.
// SMARTy Pay cannot cancel an invoice: the bot marks it cancelled and removes the Pay button; a payment
// that still arrives is recorded and announced as paid after cancellation.

/** Why an invoice cannot be cancelled, or undefined when it still can. */
function refusalKey(invoice: InvoiceRow): string | undefined {
  if (isPaidStatus(invoice.status)) return 'cancel-already-paid';
  if (invoice.status === 'Expired') return 'cancel-already-expired';
  if (invoice.status === 'Cancelled') return 'cancel-already-cancelled';
  if (invoice.status === 'UnderPaid' || invoice.status === 'Invalid') return 'cancel-not-open';
  return undefined;
}

export function createCancelFeature(deps: LifecycleFeatureDeps) {
  const composer = new Composer<BotContext>();

  async function target(ctx: CommandContext<BotContext>): Promise<InvoiceRow | string> {
    const arg = ctx.match.trim().replace(/^#/, '');
    if (/^\d{1,15}$/.test(arg)) {
      return (await deps.invoices.findInChat(ctx.chat.id, Number(arg))) ?? ctx.t('cancel-not-found', { id: arg });
    }
    const repliedTo = ctx.msg.reply_to_message?.message_id;
    if (arg === '' && repliedTo !== undefined) {
      return (await deps.invoices.findByMessage(ctx.chat.id, repliedTo)) ?? ctx.t('cancel-usage');
    }
    return ctx.t('cancel-usage');
  }

  composer.command('cancel', async (ctx) => {
    const reply = (text: string) =>
      ctx.reply(text, {
        parse_mode: 'HTML',
        reply_parameters: replyTo(ctx.msg.message_id),
      });
    if (!(await ensureMerchant(ctx, deps.permissions))) return;
    const invoice = await target(ctx);
    if (typeof invoice === 'string') {
      await reply(invoice);
      return;
    }
    const args = { id: String(invoice.id), status: statusLabel(ctx.t, invoice.status) };
    const refusal = refusalKey(invoice);
    if (refusal) {
      await reply(ctx.t(refusal, args));
      return;
    }
    // An anonymous admin posts as the group: no user id, so the chat is recorded as the canceller.
    const result = await deps.lifecycle.cancel(invoice, ctx.from?.id ?? ctx.chat.id);
    if (result.kind === 'cancelled') {
      await reply(ctx.t('cancel-done', args));
      return;
    }
    // A payment or expiry got there first.
    await reply(
      ctx.t(refusalKey(result.invoice) ?? 'cancel-not-open', {
        ...args,
        status: statusLabel(ctx.t, result.invoice.status),
      }),
    );
  });

  return composer;
}
