import { Composer } from 'grammy';
import type { InvoiceRow } from '../../db/schema.js';
import { normaliseDecimal } from '../../decimal.js';
import { translateOf } from '../../i18n/index.js';
import { issueRefusalText } from '../../invoices/issue-limit.js';
import { remainingAmount } from '../../invoices/remainder.js';
import { isOpenStatus } from '../../invoices/state-machine.js';
import { cleanUserText } from '../../invoices/user-text.js';
import { isNotModified } from '../../notify/failures.js';
import { renderOpenCard } from '../../views/messages.js';
import { formatMoney } from '../../views/numbers.js';
import { type CallbackContext, onCallback } from '../callback.js';
import type { BotContext } from '../context.js';
import { ensureMerchant } from '../guard.js';
import { type LifecycleFeatureDeps, statusAnswerKey } from './lifecycle-deps.js';

// The invoice card's buttons. "Check status" (anyone in the chat) re-checks SMARTy Pay, throttled per
// invoice; "Issue again" (on an expired card; merchants only) issues a fresh invoice with the same terms;
// "Pay the remaining" (on a partly paid card; anyone: it is the customer who pays) issues the one invoice for the rest.
// Every tap is answered, also when something fails, so the client stops its spinner.

export function createCardFeature(deps: LifecycleFeatureDeps) {
  const now = deps.now ?? (() => new Date());
  const composer = new Composer<BotContext>();

  /** The invoice the tapped button names, if it belongs to the chat the card is in. */
  async function invoiceOf(ctx: CallbackContext, id: number): Promise<InvoiceRow | undefined> {
    const inlineMessageId = ctx.callbackQuery.inline_message_id;
    if (inlineMessageId !== undefined) {
      // An inline-mode card: the message itself names the invoice, wherever it was posted.
      const invoice = await deps.invoices.findByInlineMessage(inlineMessageId);
      return invoice?.id === id ? invoice : undefined;
    }
    return ctx.chat ? deps.invoices.findInChat(ctx.chat.id, id) : undefined;
  }

  /**
   * Still open: the card is re-rendered so its "expires in N min" is current, in the language it was sent in
   * (the invoice's locale), whoever tapped and whatever /lang says now: a sent card is never rewritten in another.
   */
  async function refreshOpenCard(ctx: CallbackContext, invoice: InvoiceRow): Promise<void> {
    const card = renderOpenCard(deps.translator.forLocale(invoice.locale), invoice, now());
    await ctx
      .editMessageText(card.text, {
        reply_markup: card.replyMarkup,
        link_preview_options: { is_disabled: true },
      })
      .catch((error: unknown) => {
        // "message is not modified" (same minute) is the usual case; a failed refresh must not fail the tap.
        if (!isNotModified(error)) {
          ctx.logger.warn({ err: error, invoiceId: invoice.id }, 'could not refresh the open card');
        }
      });
  }

  async function answering(ctx: CallbackContext, what: string, handle: () => Promise<string | undefined>) {
    try {
      const text = await handle();
      if (text !== undefined) await ctx.answerCallbackQuery({ text });
    } catch (error) {
      ctx.logger.error({ err: error, data: ctx.callbackQuery.data }, `${what} failed`);
      await ctx.answerCallbackQuery({ text: ctx.t('check-failed') }).catch(() => {});
    }
  }

  onCallback(composer, 'chk', (ctx, { id }) =>
    answering(ctx, 'status check', async () => {
      const invoice = await invoiceOf(ctx, id);
      if (!invoice) return ctx.t('check-unknown');
      const result = await deps.lifecycle.checkStatus(invoice, ctx.from.id);
      if (result.kind === 'throttled') return ctx.t('check-throttled');
      if (result.kind === 'limited') return ctx.t('check-limited', { max: result.perMinute });
      if (result.kind === 'busy') return ctx.t('check-busy');
      if (result.kind === 'failed') return ctx.t('check-failed');
      // A new status queued its card edit (the outbox was woken); otherwise the open card's minutes are refreshed.
      if (!result.changed && isOpenStatus(result.invoice.status)) await refreshOpenCard(ctx, result.invoice);
      return ctx.t(statusAnswerKey(result.invoice));
    }),
  );

  onCallback(composer, 'again', (ctx, { id }) =>
    answering(ctx, 'issue again', async () => {
      if (!(await ensureMerchant(ctx, deps.permissions))) return undefined; // it answered the tap
      const old = await invoiceOf(ctx, id);
      if (!old) return ctx.t('check-unknown');
      if (old.status !== 'Expired') return ctx.t('again-not-expired');
      const cardMessageId = old.cardMessageId ?? ctx.callbackQuery.message?.message_id;
      if (cardMessageId === undefined) return ctx.t('check-unknown');
      const refused = await deps.issueLimit.take({ userId: ctx.from.id });
      if (refused) return issueRefusalText(ctx.t, refused, deps.issueLimit);
      let result: Awaited<ReturnType<LifecycleFeatureDeps['invoices']['issueAgain']>>;
      try {
        // At most one per expired invoice (reissue_of_invoice_id is unique): a double tap issues one invoice.
        result = await deps.invoices.issueAgain({
          expired: old,
          cardMessageId,
          issuedByUserId: ctx.from.id,
          request: {
            amount: normaliseDecimal(old.amount),
            token: old.token,
            // An invoice stored before descriptions were cleaned must not pass its line breaks on.
            description: cleanUserText(old.description ?? '') || undefined,
          },
          locale: await ctx.i18n.getLocale(),
        });
      } catch (error) {
        ctx.logger.error({ err: error, invoiceId: old.id }, 'could not issue the invoice again');
        return ctx.t('again-failed');
      }
      if (result.kind === 'duplicate') return ctx.t('again-duplicate');
      // Its card, replying to the expired one, is in the outbox.
      ctx.logger.info({ invoiceId: result.invoice.id, previousInvoiceId: old.id }, 'invoice issued again');
      return ctx.t('again-issued', { id: String(result.invoice.id) });
    }),
  );

  onCallback(composer, 'rest', (ctx, { id }) =>
    answering(ctx, 'pay the remaining', async () => {
      const original = await invoiceOf(ctx, id);
      if (!original) return ctx.t('check-unknown');
      // Worked out from the row as it is now, never from the button: amount − paid, same token.
      const rest = remainingAmount(original);
      if (rest === undefined || original.cardMessageId === null) return ctx.t('rest-unavailable');
      let result: Awaited<ReturnType<LifecycleFeatureDeps['invoices']['issueRemainder']>>;
      try {
        // At most one remainder per original (unique key): a double tap, or two people tapping, make one.
        result = await deps.invoices.issueRemainder(original, rest, await ctx.i18n.getLocale());
      } catch (error) {
        ctx.logger.error({ err: error, invoiceId: original.id }, 'could not issue the remainder invoice');
        return ctx.t('rest-failed');
      }
      if (result.kind === 'duplicate') return ctx.t('rest-duplicate', { id: String(result.invoice.id) });
      const t = await translateOf(ctx);
      // Its card, replying to the original's, is in the outbox.
      ctx.logger.info(
        { invoiceId: result.invoice.id, originalInvoiceId: original.id, rest },
        'remainder invoice issued',
      );
      return t('rest-issued', { id: String(result.invoice.id), amount: formatMoney(rest, original.token, t.locale) });
    }),
  );

  return composer;
}
