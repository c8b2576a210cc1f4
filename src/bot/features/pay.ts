import { type CommandContext, Composer } from 'grammy';
import { MAX_FRACTION_DIGITS } from '../../invoices/amount.js';
import { MAX_DESCRIPTION_LENGTH, type PayCommandProblem, parsePayCommand } from '../../invoices/pay-command.js';
import type { InvoiceService } from '../../invoices/service.js';
import type { Metrics } from '../../metrics.js';
import { escapeHtml, renderOpenCard } from '../../notify/messages.js';
import { SmartyPayError } from '../../payments/client.js';
import type { TokenPolicy } from '../../payments/currencies.js';
import type { BotContext } from '../context.js';
import { usageText } from './help.js';

export interface PayFeatureDeps {
  invoices: InvoiceService;
  tokens: TokenPolicy;
  now?: (() => Date) | undefined;
  metrics?: Metrics;
}

const PROBLEMS: Record<PayCommandProblem, (word?: string) => string> = {
  missing_amount: () => 'Tell me the amount to charge.',
  not_a_number: () => 'The amount must be a number like 1.99 or 0,5.',
  not_positive: () => 'The amount must be more than zero.',
  too_many_decimals: () => `The amount can have at most ${MAX_FRACTION_DIGITS} digits after the decimal point.`,
  too_large: () => 'The amount can be at most 1 000 000 000.',
  unknown_token: (word) =>
    `I don't know the token “${escapeHtml(word ?? '')}”. To start a description with that word, name the token first.`,
  token_not_accepted: (word) => `This bot does not take ${escapeHtml(word ?? '')} payments.`,
  description_too_long: () => `The description can be at most ${MAX_DESCRIPTION_LENGTH} characters.`,
};

export function createPayFeature(deps: PayFeatureDeps) {
  const now = deps.now ?? (() => new Date());
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
    const replyTo = { message_id: ctx.msg.message_id, allow_sending_without_reply: true };
    const parsed = parsePayCommand(ctx.match, deps.tokens);
    if (!parsed.ok) {
      await ctx.reply(`${PROBLEMS[parsed.problem](parsed.word)}\n\n${usageText(deps.tokens)}`, {
        parse_mode: 'HTML',
        reply_parameters: replyTo,
      });
      return;
    }

    let result: Awaited<ReturnType<InvoiceService['issue']>>;
    try {
      result = await deps.invoices.issue({
        chatId: ctx.chat.id,
        payMessageId: ctx.msg.message_id,
        issuedByUserId: ctx.from?.id,
        request: parsed.request,
      });
    } catch (error) {
      ctx.logger.error({ err: error, request: parsed.request }, 'could not create the invoice');
      const why =
        error instanceof SmartyPayError && error.kind === 'timeout'
          ? 'SMARTy Pay did not answer in time'
          : 'something went wrong talking to SMARTy Pay';
      await ctx.reply(`⚠️ Sorry, ${why}, so no invoice was created. Please try again in a minute.`, {
        reply_parameters: replyTo,
      });
      return;
    }

    if (result.kind === 'duplicate') {
      // Telegram delivered this /pay again; the first delivery made (or is making) the card.
      ctx.logger.info({ invoiceId: result.invoice.id }, 'repeated /pay update ignored');
      return;
    }
    const card = renderOpenCard(result.invoice, now());
    const sent = await ctx.reply(card.text, {
      parse_mode: 'HTML',
      reply_markup: card.replyMarkup,
      reply_parameters: replyTo,
      link_preview_options: { is_disabled: true },
    });
    await deps.invoices.attachCard(result.invoice.id, sent.message_id);
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
