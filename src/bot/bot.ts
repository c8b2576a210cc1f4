import { autoRetry } from '@grammyjs/auto-retry';
import { sequentialize } from '@grammyjs/runner';
import { Bot } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import type { Logger } from 'pino';
import type { AccessGrants } from '../access/grants.js';
import type { AccessService } from '../access/service.js';
import type { ChatSettings } from '../chats/settings.js';
import type { Translator } from '../i18n/index.js';
import type { InlineDrafts } from '../invoices/inline-drafts.js';
import { createIssueLimit } from '../invoices/issue-limit.js';
import type { InvoiceLifecycle } from '../invoices/lifecycle.js';
import type { RateQuota } from '../invoices/quota.js';
import type { InvoiceReports } from '../invoices/reports.js';
import type { InvoiceService } from '../invoices/service.js';
import type { Permissions } from '../merchants/permissions.js';
import type { Metrics } from '../metrics.js';
import type { AccessLapse } from '../notify/access-lapse.js';
import type { TokenPolicy } from '../payments/currencies.js';
import type { ProductSales } from '../products/sales.js';
import type { ProductService } from '../products/service.js';
import { htmlParseMode } from '../telegram/parse-mode.js';
import type { BotContext } from './context.js';
import { createAccessJoinFeature } from './features/access-join.js';
import { createAccessMerchantFeature } from './features/access-merchant.js';
import { createCancelFeature } from './features/cancel.js';
import { createCardFeature } from './features/card.js';
import { createDashboardFeature } from './features/dashboard.js';
import { createExportFeature } from './features/export.js';
import { createHelpFeature } from './features/help.js';
import { createIdFeature } from './features/id.js';
import { createInlineFeature } from './features/inline.js';
import { createInvoiceListFeature } from './features/invoice-list.js';
import { createLangFeature } from './features/lang.js';
import { createPayFeature } from './features/pay.js';
import { createShopBuyerFeature } from './features/shop-buyer.js';
import { createShopCardFeature } from './features/shop-card.js';
import { createShopInlineFeature } from './features/shop-inline.js';
import { createShopMerchantFeature } from './features/shop-merchant.js';
import { createShopPurchasesFeature } from './features/shop-purchases.js';
import { createStatsFeature } from './features/stats.js';
import { createStatusFeature } from './features/status.js';

export interface BotDependencies {
  invoices: InvoiceService;
  lifecycle: InvoiceLifecycle;
  /** Read-only queries for /status, /invoices, /stats, /export. */
  reports: InvoiceReports;
  /** Inline mode's offers (`@bot 10 bUSDT coffee`) until they become invoices. */
  inlineDrafts: InlineDrafts;
  /** The shop: products and their links. */
  products: ProductService;
  /** The shop: selling one to a buyer who opened its link (a keys product's key held before SMARTy Pay is asked). */
  sales: ProductSales;
  access: AccessService;
  /** /revoke removes at once (src/notify/access-lapse.ts). */
  accessLapse: Pick<AccessLapse, 'revoke'>;
  /** /members: how near its end a member counts as ending soon (views/access.ts endingSoonMs). */
  endingSoonMs: number;
  accessGrants: Pick<AccessGrants, 'findActive' | 'markJoined' | 'grantManually' | 'listForProducts' | 'setInviteLink'>;
  translator: Translator;
  chatSettings: ChatSettings;
  permissions: Permissions;
  /** The shared counters behind the issue limits (rate_quota). */
  rateQuota: RateQuota;
  /** Invoices per issuer per minute; 0 = unlimited. */
  payRateLimitPerMinute: number;
  /** Invoices per minute from everyone together; 0 = unlimited. */
  invoiceGlobalLimitPerMinute: number;
  logger: Logger;
  apiRoot: string;
  tokens: TokenPolicy;
  now?: () => Date;
  /** Skips getMe at init when known (tests). */
  botInfo?: UserFromGetMe;
  metrics?: Metrics;
  /** PUBLIC_URL: /dashboard opens ${PUBLIC_URL}/app/ (https only). */
  publicUrl?: string | undefined;
}

/** At most 3 more tries, each only when Telegram's retry_after is at most 10 s. */
export const DIRECT_REPLY_RETRY = {
  maxRetryAttempts: 3,
  maxDelaySeconds: 10,
  rethrowInternalServerErrors: true,
  rethrowHttpErrors: true,
} as const;

export function createBot(token: string, deps: BotDependencies): Bot<BotContext> {
  const bot = new Bot<BotContext>(token, {
    client: { apiRoot: deps.apiRoot, timeoutSeconds: 60 },
    botInfo: deps.botInfo,
  });
  bot.api.config.use(htmlParseMode);
  // A 429 must not swallow a direct reply (help, usage, refusals): wait what Telegram asks, within bounds.
  // Only 429s, which say the call was not done: after a 5xx or a network error the message may have arrived,
  // and a retry would send it twice. (Its HttpError retry also has no bound: grammyjs/auto-retry retries those
  // outside maxRetryAttempts.) Not on the outbox's Api: the outbox has its own retry, backoff and lease.
  bot.api.config.use(autoRetry(DIRECT_REPLY_RETRY));

  bot.use(async (ctx, next) => {
    // Made when the update first logs a line (most log nothing): a pino child per update showed in /pay bursts.
    let logger: Logger | undefined;
    Object.defineProperty(ctx, 'logger', {
      configurable: true,
      get: () => {
        logger ??= deps.logger.child({ updateId: ctx.update.update_id, chatId: ctx.chat?.id });
        return logger;
      },
      set: (value: Logger) => {
        logger = value;
      },
    });
    await next();
  });
  // Updates of one chat are handled in order; different chats run in parallel under the runner.
  bot.use(sequentialize((ctx) => ctx.chat?.id.toString()));
  bot.use(deps.translator.plugin);

  const issueLimit = createIssueLimit({
    quota: deps.rateQuota,
    perMinute: deps.payRateLimitPerMinute,
    globalPerMinute: deps.invoiceGlobalLimitPerMinute,
  });
  bot.use(
    createPayFeature({
      invoices: deps.invoices,
      tokens: deps.tokens,
      metrics: deps.metrics,
      permissions: deps.permissions,
      issueLimit,
    }),
  );
  // Before help: `/start <product code>` is a product's link; a plain /start falls through to the help.
  bot.use(createShopBuyerFeature({ products: deps.products, invoices: deps.invoices, sales: deps.sales, issueLimit }));
  bot.use(
    createShopMerchantFeature({
      products: deps.products,
      permissions: deps.permissions,
      tokens: deps.tokens,
      translator: deps.translator,
    }),
  );
  bot.use(createAccessJoinFeature({ grants: deps.accessGrants }));
  bot.use(
    createAccessMerchantFeature({
      access: deps.access,
      grants: deps.accessGrants,
      lapse: deps.accessLapse,
      endingSoonMs: deps.endingSoonMs,
      products: deps.products,
      permissions: deps.permissions,
      translator: deps.translator,
      now: deps.now ?? (() => new Date()),
    }),
  );
  bot.use(createShopCardFeature({ products: deps.products, permissions: deps.permissions }));
  bot.use(createShopPurchasesFeature({ products: deps.products }));
  bot.use(createHelpFeature({ tokens: deps.tokens, setupMode: deps.permissions.setupMode }));
  bot.use(createIdFeature({ setupMode: deps.permissions.setupMode }));
  bot.use(createLangFeature({ chatSettings: deps.chatSettings, permissions: deps.permissions }));
  bot.use(createDashboardFeature({ permissions: deps.permissions, publicUrl: deps.publicUrl }));
  const lifecycleDeps = {
    invoices: deps.invoices,
    lifecycle: deps.lifecycle,
    permissions: deps.permissions,
    issueLimit,
    translator: deps.translator,
    now: deps.now,
  };
  bot.use(createCancelFeature(lifecycleDeps));
  bot.use(createCardFeature(lifecycleDeps));
  const reporting = { reports: deps.reports, permissions: deps.permissions, now: deps.now };
  bot.use(createStatusFeature({ invoices: deps.invoices, now: deps.now }));
  bot.use(createInvoiceListFeature(reporting));
  bot.use(createStatsFeature(reporting));
  bot.use(createExportFeature(reporting));
  // Before inline invoices: `@bot <product code>` posts a product.
  bot.use(createShopInlineFeature({ products: deps.products, permissions: deps.permissions, tokens: deps.tokens }));
  bot.use(
    createInlineFeature({
      invoices: deps.invoices,
      drafts: deps.inlineDrafts,
      tokens: deps.tokens,
      permissions: deps.permissions,
      issueLimit,
    }),
  );

  // Last: a tap whose data no feature decoded (src/telegram/callback-data.ts) is answered, so the client stops its
  // spinner, and logged: the bot made no such button, so a client made it up.
  bot.on('callback_query:data', async (ctx) => {
    ctx.logger.warn(
      { data: ctx.callbackQuery.data, userId: ctx.from.id },
      'tap with callback data the bot did not make',
    );
    await ctx.answerCallbackQuery();
  });

  bot.catch(({ error, ctx }) => {
    const logger = (ctx as Partial<BotContext>).logger ?? deps.logger;
    logger.error({ err: error }, 'update handler failed');
  });
  return bot;
}
