import { type CommandContext, Composer } from 'grammy';
import type { InvoiceRow } from '../../db/schema.js';
import type { InvoiceStatus } from '../../db/vocabulary.js';
import type { BotContext } from '../context.js';
import { ensureMerchant } from '../guard.js';
import { replyTo } from '../reply.js';
import type { LifecycleFeatureDeps } from './lifecycle-deps.js';
import { statusLabel } from './report-format.js';

// /cancel, as a reply to an invoice card (or the /pay message), or /cancel 12 with the card's number.
// SMARTy Pay cannot cancel an invoice: the bot marks it cancelled and removes the Pay button; a payment
// that still arrives is recorded and announced as paid after cancellation.

/** Why an invoice in each status cannot be cancelled; null where the state machine allows it (a test checks). */
export const CANCEL_REFUSALS: Record<InvoiceStatus, string | null> = {
  Unconfirmed: null,
  Created: null,
  Confirming: null,
  Expired: 'cancel-already-expired',
  Cancelled: 'cancel-already-cancelled',
  UnderPaid: 'cancel-not-open',
  Invalid: 'cancel-not-open',
  Paid: 'cancel-already-paid',
  SimplePaid: 'cancel-already-paid',
  OverPaid: 'cancel-already-paid',
  Withdrawn: 'cancel-already-paid',
};

function refusalKey(invoice: InvoiceRow): string | undefined {
  return CANCEL_REFUSALS[invoice.status] ?? undefined;
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
