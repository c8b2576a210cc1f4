import { Composer } from 'grammy';
import type { InlineQueryResultArticle } from 'grammy/types';
import type { Translate, Translator } from '../../i18n/index.js';
import type { InlineDraft, InlineDrafts } from '../../invoices/inline-drafts.js';
import type { IssueResult } from '../../invoices/issue.js';
import { parsePayCommand } from '../../invoices/pay-command.js';
import type { InvoiceService } from '../../invoices/service.js';
import { isOpenStatus } from '../../invoices/status.js';
import { isNotModified } from '../../notify/failures.js';
import { escapeHtml, formatMoney, renderClosedCard, renderOpenCard } from '../../notify/messages.js';
import { SmartyPayError } from '../../payments/client.js';
import type { TokenPolicy } from '../../payments/currencies.js';
import type { BotContext } from '../context.js';
import { answerWithoutResults, ensureMerchant } from '../guard.js';
import type { Permissions } from '../permissions.js';
import type { IssueLimit } from '../rate-limit.js';

// `@bot 10 bUSDT coffee` in any chat. Each keystroke is an inline query: it only stores a draft and
// offers a preview with a callback button. The SMARTy Pay invoice is made for the posted message
// (its inline_message_id) when Telegram reports the choice or when someone first taps the button.

export interface InlineFeatureDeps {
  invoices: InvoiceService;
  drafts: InlineDrafts;
  tokens: TokenPolicy;
  permissions: Permissions;
  /** The card is in the issuer's language, whoever taps. */
  translator: Translator;
  /** Shared with /pay. */
  issueLimit: IssueLimit;
  now?: (() => Date) | undefined;
}

export const INLINE_PAY_PREFIX = 'ipay:';

export function createInlineFeature(deps: InlineFeatureDeps) {
  const now = deps.now ?? (() => new Date());
  const composer = new Composer<BotContext>();

  composer.on('inline_query', async (ctx) => {
    if (!(await ensureMerchant(ctx, deps.permissions))) return;
    const query = ctx.inlineQuery.query.trim();
    const parsed = parsePayCommand(query, deps.tokens);
    if (!parsed.ok) {
      const key =
        query === ''
          ? 'inline-hint'
          : parsed.problem === 'ambiguous_grouping'
            ? 'inline-ambiguous-amount'
            : 'inline-invalid';
      await answerWithoutResults(ctx, ctx.t(key, { token: deps.tokens.defaultToken }));
      return;
    }
    if (await deps.issueLimit.reached(ctx.from.id)) {
      await answerWithoutResults(ctx, ctx.t('inline-rate-limited', { max: deps.issueLimit.perMinute }));
      return;
    }
    const { request } = parsed;
    const draftId = await deps.drafts.save(ctx.from.id, request, await ctx.i18n.getLocale());
    await ctx.answerInlineQuery([previewResult(ctx.t, draftId, request)], { cache_time: 0, is_personal: true });
  });

  composer.on('chosen_inline_result', async (ctx) => {
    const { result_id: draftId, inline_message_id: inlineMessageId } = ctx.chosenInlineResult;
    const draft = await deps.drafts.find(draftId);
    if (!inlineMessageId || !draft || draft.userId !== ctx.from.id) {
      ctx.logger.warn({ draftId, inlineMessageId }, 'chosen inline result without a usable draft');
      return;
    }
    try {
      await showInvoice(ctx, draft, inlineMessageId);
    } catch (error) {
      // The preview keeps its button: the first tap tries again.
      ctx.logger.error({ err: error, draftId, inlineMessageId }, 'could not create the inline invoice');
    }
  });

  composer.callbackQuery(new RegExp(`^${INLINE_PAY_PREFIX}(.+)$`), async (ctx) => {
    const inlineMessageId = ctx.callbackQuery.inline_message_id;
    const draftId = ctx.match[1] ?? '';
    const draft = await deps.drafts.find(draftId);
    if (!inlineMessageId || !draft) {
      await ctx.answerCallbackQuery({ text: ctx.t('inline-draft-gone'), show_alert: true });
      return;
    }
    let text: string;
    try {
      await showInvoice(ctx, draft, inlineMessageId);
      text = ctx.t('inline-invoice-ready');
    } catch (error) {
      ctx.logger.error({ err: error, draftId, inlineMessageId }, 'could not create the inline invoice');
      const timedOut = error instanceof SmartyPayError && error.kind === 'timeout';
      await ctx.answerCallbackQuery({ text: ctx.t(timedOut ? 'pay-failed-timeout' : 'pay-failed'), show_alert: true });
      return;
    }
    await ctx.answerCallbackQuery({ text });
  });

  /** Makes (or finds) the invoice of this inline message and turns the message into its card. */
  async function showInvoice(ctx: BotContext, draft: InlineDraft, inlineMessageId: string): Promise<void> {
    const result: IssueResult = await deps.invoices.issueInline({
      inlineMessageId,
      issuedByUserId: draft.userId,
      request: draft.request,
      locale: draft.locale,
    });
    const { invoice } = result;
    if (result.kind === 'created') {
      ctx.logger.info(
        { invoiceId: invoice.id, smartyPayId: invoice.smartyPayId, inlineMessageId, amount: invoice.amount },
        'inline invoice issued',
      );
    }
    const t = deps.translator.forLocale(invoice.locale);
    const card = isOpenStatus(invoice.status)
      ? renderOpenCard(t, invoice, now())
      : { text: renderClosedCard(t, invoice).text };
    try {
      await ctx.api.editMessageTextInline(inlineMessageId, card.text, {
        parse_mode: 'HTML',
        reply_markup: card.replyMarkup,
        link_preview_options: { is_disabled: true },
      });
    } catch (error) {
      // A concurrent choice/tap (or the outbox) already put this card there.
      if (!isNotModified(error)) throw error;
    }
  }

  return composer;
}

function previewResult(t: Translate, draftId: string, request: InlineDraft['request']): InlineQueryResultArticle {
  const money = formatMoney(request.amount, request.token);
  const lines = [t('inline-preview-title'), `<b>${escapeHtml(money)}</b>`];
  if (request.description) lines.push(t('inline-preview-for', { description: escapeHtml(request.description) }));
  lines.push('', t('inline-preview-hint'));
  return {
    type: 'article',
    id: draftId,
    title: t('inline-result-title', { money }),
    description: request.description ?? t('inline-result-no-description'),
    input_message_content: {
      message_text: lines.join('\n'),
      parse_mode: 'HTML',
      link_preview_options: { is_disabled: true },
    },
    reply_markup: {
      inline_keyboard: [[{ text: t('inline-pay-button', { money }), callback_data: `${INLINE_PAY_PREFIX}${draftId}` }]],
    },
  };
}
