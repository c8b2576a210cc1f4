import { sequentialize } from '@grammyjs/runner';
import { Bot } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import type { Logger } from 'pino';
import type { ChatSettings } from '../chats/settings.js';
import type { Translator } from '../i18n/index.js';
import type { InlineDrafts } from '../invoices/inline-drafts.js';
import type { InvoiceService } from '../invoices/service.js';
import type { Metrics } from '../metrics.js';
import type { TokenPolicy } from '../payments/currencies.js';
import type { BotContext } from './context.js';
import { createHelpFeature } from './features/help.js';
import { createInlineFeature } from './features/inline.js';
import { createPayFeature } from './features/pay.js';
import type { Permissions } from './permissions.js';

export interface BotDependencies {
  invoices: InvoiceService;
  /** Inline mode's offers (`@bot 10 bUSDT coffee`) until they become invoices. */
  inlineDrafts: InlineDrafts;
  translator: Translator;
  chatSettings: ChatSettings;
  permissions: Permissions;
  /** /pay invoices per user per minute; 0 = unlimited. */
  payRateLimitPerMinute: number;
  logger: Logger;
  apiRoot: string;
  tokens: TokenPolicy;
  now?: () => Date;
  /** Skips getMe at init when known (tests). */
  botInfo?: UserFromGetMe;
  metrics?: Metrics;
}

export function createBot(token: string, deps: BotDependencies): Bot<BotContext> {
  const bot = new Bot<BotContext>(token, {
    client: { apiRoot: deps.apiRoot, timeoutSeconds: 60 },
    botInfo: deps.botInfo,
  });

  bot.use(async (ctx, next) => {
    ctx.logger = deps.logger.child({ updateId: ctx.update.update_id, chatId: ctx.chat?.id });
    await next();
  });
  // Updates of one chat are handled in order; different chats run in parallel under the runner.
  bot.use(sequentialize((ctx) => ctx.chat?.id.toString()));
  bot.use(deps.translator.plugin);

  bot.use(
    createPayFeature({
      invoices: deps.invoices,
      tokens: deps.tokens,
      now: deps.now,
      metrics: deps.metrics,
      permissions: deps.permissions,
      rateLimitPerMinute: deps.payRateLimitPerMinute,
    }),
  );
  bot.use(createHelpFeature({ tokens: deps.tokens }));
  bot.use(
    createInlineFeature({
      invoices: deps.invoices,
      drafts: deps.inlineDrafts,
      tokens: deps.tokens,
      permissions: deps.permissions,
      rateLimitPerMinute: deps.payRateLimitPerMinute,
      now: deps.now,
    }),
  );

  bot.catch(({ error, ctx }) => {
    const logger = (ctx as Partial<BotContext>).logger ?? deps.logger;
    logger.error({ err: error }, 'update handler failed');
  });
  return bot;
}
