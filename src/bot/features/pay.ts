import { type CommandContext, Composer } from 'grammy';
import type { Lookup } from '../../i18n/index.js';
import { MAX_FRACTION_DIGITS } from '../../invoices/amount.js';
import { UnconfirmedInvoiceError } from '../../invoices/issue.js';
import { type IssueLimit, issueRefusalText } from '../../invoices/issue-limit.js';
import { MAX_DESCRIPTION_LENGTH, type PayCommandProblem, parsePayCommand } from '../../invoices/pay-command.js';
import type { InvoiceService } from '../../invoices/service.js';
import type { Permissions } from '../../merchants/permissions.js';
import type { Metrics } from '../../metrics.js';
import { SmartyPayError } from '../../payments/client.js';
import type { TokenPolicy } from '../../payments/currencies.js';
import { escapeHtml } from '../../views/messages.js';
import type { BotContext } from '../context.js';
import { actorOf, ensureMerchant } from '../guard.js';
import { replyTo } from '../reply.js';

export interface PayFeatureDeps {
  invoices: InvoiceService;
  tokens: TokenPolicy;
  metrics?: Metrics;
  permissions: Permissions;
  issueLimit: IssueLimit;
}

const PROBLEM_KEYS: Record<PayCommandProblem, string> = {
  missing_amount: 'pay-missing-amount',
  not_a_number: 'pay-not-a-number',
  not_positive: 'pay-not-positive',
  too_many_decimals: 'pay-too-many-decimals',
  too_large: 'pay-too-large',
  ambiguous_grouping: 'pay-ambiguous-amount',
  unknown_token: 'pay-unknown-token',
  token_not_accepted: 'pay-token-not-accepted',
  description_too_long: 'pay-description-too-long',
};

/**
 * A refused /pay in one line with one example (not the whole help): what was wrong, then "e.g. /pay 5 bUSDT
 * coffee" in the default token. Every key gets every argument; each text uses the ones it needs. `command`: the
 * example's command (/newproduct reads its amount and token the same way).
 */
export function payRefusalText(
  t: Lookup,
  problem: PayCommandProblem,
  word: string | undefined,
  tokens: TokenPolicy,
  command: 'pay' | 'newproduct' = 'pay',
) {
  return t(PROBLEM_KEYS[problem], {
    word: escapeHtml(word ?? ''),
    token: tokens.defaultToken,
    tokens: tokens.accepted.join(', '),
    max: problem === 'description_too_long' ? MAX_DESCRIPTION_LENGTH : MAX_FRACTION_DIGITS,
    command,
  });
}

export function createPayFeature(deps: PayFeatureDeps) {
  const composer = new Composer<BotContext>();

  composer.command('pay', async (ctx) => {
    const stopTimer = deps.metrics?.payCommandDuration.startTimer();
    try {
      await handlePay(ctx);
    } finally {
      stopTimer?.();
    }
  });

  async function handlePay(ctx: CommandContext<BotContext>): Promise<void> {
    const inReply = replyTo(ctx.msg.message_id);
    if (!(await ensureMerchant(ctx, deps.permissions))) return;
    const parsed = parsePayCommand(ctx.match, deps.tokens);
    if (!parsed.ok) {
      await ctx.reply(payRefusalText(ctx.t, parsed.problem, parsed.word, deps.tokens), {
        reply_parameters: inReply,
      });
      return;
    }

    // Taken before SMARTy Pay is asked, atomically: parallel /pay from many chats cannot overrun it.
    const refused = await deps.issueLimit.take(actorOf(ctx));
    if (refused) {
      ctx.logger.info({ userId: ctx.from?.id, limit: refused }, '/pay rate limited');
      await ctx.reply(issueRefusalText(ctx.t, refused, deps.issueLimit), { reply_parameters: inReply });
      return;
    }

    let result: Awaited<ReturnType<InvoiceService['issue']>>;
    try {
      result = await deps.invoices.issue({
        chatId: ctx.chat.id,
        payMessageId: ctx.msg.message_id,
        issuedByUserId: ctx.from?.id,
        request: parsed.request,
        locale: await ctx.i18n.getLocale(),
      });
    } catch (error) {
      ctx.logger.error({ err: error, request: parsed.request }, 'could not create the invoice');
      // Unconfirmed: SMARTy Pay may have made it; no card (nobody should pay what we cannot track), but a payment
      // for it would still be confirmed here.
      const key =
        error instanceof UnconfirmedInvoiceError
          ? 'pay-failed-unconfirmed'
          : error instanceof SmartyPayError && error.kind === 'timeout'
            ? 'pay-failed-timeout'
            : 'pay-failed';
      await ctx.reply(ctx.t(key), { reply_parameters: inReply });
      return;
    }

    if (result.kind === 'duplicate') {
      // Telegram delivered this /pay again; the first delivery queued the card.
      ctx.logger.info({ invoiceId: result.invoice.id }, 'repeated /pay update ignored');
      return;
    }
    // The card went into the outbox with the invoice (src/invoices/issue.ts), retried there if Telegram says 429.
    ctx.logger.info(
      {
        invoiceId: result.invoice.id,
        smartyPayId: result.invoice.smartyPayId,
        amount: result.invoice.amount,
        token: result.invoice.token,
      },
      'invoice issued',
    );
  }

  return composer;
}
