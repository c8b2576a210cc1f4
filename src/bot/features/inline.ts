import { Composer } from 'grammy';
import type { InlineQueryResultArticle } from 'grammy/types';
import { type Translate, translateOf } from '../../i18n/index.js';
import type { InlineDraft, InlineDrafts } from '../../invoices/inline-drafts.js';
import { resolveInlineTap } from '../../invoices/inline-tap.js';
import type { IssueResult } from '../../invoices/issue.js';
import { type IssueLimit, type IssueRefusal, issueRefusalText } from '../../invoices/issue-limit.js';
import { parsePayCommand } from '../../invoices/pay-command.js';
import type { InvoiceService } from '../../invoices/service.js';
import type { Permissions } from '../../merchants/permissions.js';
import { SmartyPayError } from '../../payments/client.js';
import type { TokenPolicy } from '../../payments/currencies.js';
import { encodeCallbackData } from '../../telegram/callback-data.js';
import { escapeHtml } from '../../views/messages.js';
import { formatMoney } from '../../views/numbers.js';
import { onCallback } from '../callback.js';
import type { BotContext } from '../context.js';
import { answerWithoutResults, ensureMerchant } from '../guard.js';

// `@bot 10 bUSDT coffee` in any chat. Each keystroke is an inline query: it only stores a draft and
// offers a preview with a callback button. The SMARTy Pay invoice is made for the posted message
// (its inline_message_id) when Telegram reports the choice or when someone first taps the button, and only
// ever from the draft that message carries (src/invoices/inline-tap.ts). The preview becomes the card through the
// outbox (a `card_inline` edit queued with the invoice), so a 429 on that edit is retried like any notification.

export interface InlineFeatureDeps {
  invoices: InvoiceService;
  drafts: InlineDrafts;
  tokens: TokenPolicy;
  permissions: Permissions;
  /** Shared with /pay. */
  issueLimit: IssueLimit;
}

export function createInlineFeature(deps: InlineFeatureDeps) {
  const composer = new Composer<BotContext>();
  const tapDeps = { drafts: deps.drafts, findInvoice: deps.invoices.findByInlineMessage };

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
    const refused = await deps.issueLimit.refusal({ userId: ctx.from.id });
    if (refused) {
      await answerWithoutResults(ctx, issueRefusalText(ctx.t, refused, deps.issueLimit, true));
      return;
    }
    const { request } = parsed;
    const draftId = await deps.drafts.save(ctx.from.id, request, await ctx.i18n.getLocale());
    await ctx.answerInlineQuery([previewResult(await translateOf(ctx), draftId, request)], {
      cache_time: 0,
      is_personal: true,
    });
  });

  composer.on('chosen_inline_result', async (ctx) => {
    const { result_id: draftId, inline_message_id: inlineMessageId } = ctx.chosenInlineResult;
    const userId = ctx.from.id;
    if (!inlineMessageId) {
      ctx.logger.warn({ userId, draftId }, 'chosen inline result without an inline message');
      return;
    }
    const binding = await deps.drafts.bindChosen(inlineMessageId, draftId, userId);
    if (binding.kind !== 'bound') {
      const boundDraftId = binding.kind === 'conflict' ? binding.boundDraftId : undefined;
      ctx.logger.warn(
        { userId, draftId, inlineMessageId, boundDraftId, reason: binding.kind },
        'chosen inline result refused',
      );
      return;
    }
    try {
      await issue(ctx, binding.draft, inlineMessageId);
    } catch (error) {
      // The preview keeps its button: the first tap tries again.
      if (error instanceof IssueLimitReached) {
        ctx.logger.info({ userId, draftId, inlineMessageId, refusal: error.refusal }, 'inline invoice refused: limit');
        return;
      }
      ctx.logger.error({ err: error, draftId, inlineMessageId }, 'could not create the inline invoice');
    }
  });

  onCallback(composer, 'ipay', async (ctx, { draft: draftId }) => {
    const inlineMessageId = ctx.callbackQuery.inline_message_id;
    const log = { userId: ctx.from.id, draftId, inlineMessageId };
    const tap = inlineMessageId ? await resolveInlineTap(tapDeps, inlineMessageId, draftId) : undefined;
    if (!inlineMessageId || !tap || tap.kind === 'gone') {
      ctx.logger.info(log, 'inline tap on an offer that is gone');
      await ctx.answerCallbackQuery({ text: ctx.t('inline-draft-gone'), show_alert: true });
      return;
    }
    if (tap.kind === 'refused') {
      // A modified client sending another offer's callback data (or, with inline feedback off, one offer sent twice).
      ctx.logger.warn({ ...log, boundDraftId: tap.boundDraftId }, 'inline tap refused: not the offer of this message');
      await ctx.answerCallbackQuery({ text: ctx.t('inline-offer-invalid'), show_alert: true });
      return;
    }
    try {
      // The card replaces the preview through the outbox (card_inline, queued with the invoice).
      if (tap.kind !== 'invoice') await issue(ctx, tap.draft, inlineMessageId);
    } catch (error) {
      if (error instanceof IssueLimitReached) {
        await ctx.answerCallbackQuery({
          text: issueRefusalText(ctx.t, error.refusal, deps.issueLimit),
          show_alert: true,
        });
        return;
      }
      ctx.logger.error({ err: error, ...log }, 'could not create the inline invoice');
      const timedOut = error instanceof SmartyPayError && error.kind === 'timeout';
      await ctx.answerCallbackQuery({ text: ctx.t(timedOut ? 'pay-failed-timeout' : 'pay-failed'), show_alert: true });
      return;
    }
    await ctx.answerCallbackQuery({ text: ctx.t('inline-invoice-ready') });
  });

  /** Makes (or finds) the invoice of this inline message from the draft it carries. */
  async function issue(ctx: BotContext, draft: InlineDraft, inlineMessageId: string): Promise<IssueResult> {
    // The issuer's quota pays for the invoice this message will get, unless it already has one.
    if (!(await deps.invoices.findByInlineMessage(inlineMessageId))) {
      const refused = await deps.issueLimit.take({ userId: draft.userId });
      if (refused) throw new IssueLimitReached(refused);
    }
    const result = await deps.invoices.issueInline({
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
    return result;
  }

  return composer;
}

/** The issuer's limit is spent: no invoice for this inline message (yet; a later tap tries again). */
class IssueLimitReached extends Error {
  constructor(readonly refusal: IssueRefusal) {
    super(`inline invoice refused: ${refusal} limit reached`);
    this.name = 'IssueLimitReached';
  }
}

function previewResult(t: Translate, draftId: string, request: InlineDraft['request']): InlineQueryResultArticle {
  const money = formatMoney(request.amount, request.token, t.locale);
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
      link_preview_options: { is_disabled: true },
    },
    reply_markup: {
      inline_keyboard: [
        [{ text: t('inline-pay-button', { money }), callback_data: encodeCallbackData('ipay', { draft: draftId }) }],
      ],
    },
  };
}
