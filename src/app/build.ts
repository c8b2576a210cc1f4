import type { Express } from 'express';
import { Api, type Bot, type Transformer } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import type { Logger } from 'pino';
import { createBot } from '../bot/bot.js';
import type { BotContext } from '../bot/context.js';
import { createPermissions, type Permissions } from '../bot/permissions.js';
import { createUpdateLog } from '../bot/update-log.js';
import { createChatSettings } from '../chats/settings.js';
import type { Config } from '../config.js';
import { connectDatabase } from '../connect.js';
import type { DatabaseHandle } from '../db/client.js';
import { createMetricsApp } from '../http/metrics-server.js';
import { createServer } from '../http/server.js';
import { createTelegramWebhook, type TelegramWebhook } from '../http/telegram-webhook.js';
import { createTranslator, pickLocale, type Translator } from '../i18n/index.js';
import { createInlineDrafts } from '../invoices/inline-drafts.js';
import { createInvoiceLifecycle } from '../invoices/lifecycle.js';
import { createRateQuota } from '../invoices/quota.js';
import { createRecheckBudget } from '../invoices/recheck-budget.js';
import { createReconciler, type Reconciler } from '../invoices/reconciler.js';
import { createInvoiceReports } from '../invoices/reports.js';
import { createInvoiceService } from '../invoices/service.js';
import { createMetrics } from '../metrics.js';
import { createOutboxWorker, type OutboxWorker, outboxApiTimeoutSeconds } from '../notify/outbox.js';
import { createOutboxMonitor, type OutboxMonitor } from '../notify/outbox-monitor.js';
import { outboxPacing } from '../notify/pacing.js';
import { createSmartyPayClient } from '../payments/client.js';

// Build: every object of the app, wired, with no I/O but opening the database. Nothing listens, no loop runs and
// Telegram is not called; start.ts does that.

export interface BuildOptions {
  logger: Logger;
  now?: () => Date;
  /** Who the bot is (getMe, asked before the build). */
  botInfo: UserFromGetMe;
}

export interface BuiltApp {
  config: Config;
  logger: Logger;
  database: DatabaseHandle;
  translator: Translator;
  permissions: Permissions;
  bot: Bot<BotContext>;
  /** The webhook port's app and the metrics port's app, not listening yet. */
  http: { app: Express; metrics: Express };
  /** Webhook mode only: the route Telegram pushes updates to. */
  telegramWebhook: TelegramWebhook | undefined;
  workers: { outbox: OutboxWorker; reconciler: Reconciler; outboxMonitor: OutboxMonitor };
  /** Aborts every Telegram call still in flight (the bot's and the outbox's): shutdown's last resort. */
  abortTelegramCalls(): void;
}

export async function buildApp(config: Config, options: BuildOptions): Promise<BuiltApp> {
  const { logger } = options;
  const database = await connectDatabase({
    deadline: Date.now() + config.startupTimeoutMs,
    logger,
    url: config.databaseUrl,
    dataDir: config.dataDir,
    poolMax: config.databasePoolMax,
  });
  logger.info({ driver: database.driver }, 'database ready, migrations applied');
  try {
    return wire(config, options, database);
  } catch (error) {
    await database.close();
    throw error;
  }
}

function wire(config: Config, { logger, now = () => new Date(), botInfo }: BuildOptions, database: DatabaseHandle) {
  const { db, query } = database;
  const telegramCalls = new AbortController();
  const telegramApi = (timeoutSeconds: number) => {
    const api = new Api(config.botToken, { apiRoot: config.telegramApiRoot, timeoutSeconds });
    api.config.use(abortWith(telegramCalls.signal));
    return api;
  };

  const chatSettings = createChatSettings({ db, now });
  const translator = createTranslator({
    localeOf: async (ctx) =>
      (ctx.chat && (await chatSettings.locale(ctx.chat.id))) ?? pickLocale(ctx.from?.language_code),
  });
  const outboxMonitor = createOutboxMonitor({ db, logger, now });
  const metrics = createMetrics({ readOutbox: () => outboxMonitor.snapshot(), logger });

  // Request signatures carry wall-clock time (SMARTy Pay rejects skewed ones), not the domain clock.
  const payments = createSmartyPayClient({
    apiKey: config.smartyPay.apiKey,
    secretKey: config.smartyPay.secretKey,
    host: config.smartyPay.apiHost,
    timeoutMs: config.smartyPay.timeoutMs,
    maxInFlight: config.smartyPay.maxInFlight,
  });
  const invoices = createInvoiceService({
    db,
    query,
    payments,
    logger,
    checkoutUrl: config.smartyPay.checkoutUrl,
    ttlMinutes: config.invoiceTtlMinutes,
    reminderMinutes: config.reminderMinutes,
    now,
    metrics,
  });
  // One re-check budget for the reconciler and "Check status" taps together.
  const recheckBudget = createRecheckBudget({ maxPerMinute: config.recheck.maxPerMinute, now });
  const rateQuota = createRateQuota({ query, now });
  const lifecycle = createInvoiceLifecycle({
    db,
    query,
    payments,
    invoices,
    logger,
    now,
    budget: recheckBudget,
    perUser: { quota: rateQuota, perMinute: config.checkStatusPerUserPerMinute },
  });

  const outbox = createOutboxWorker({
    db,
    api: telegramApi(outboxApiTimeoutSeconds(config.outbox.leaseMs)),
    logger,
    translator,
    now,
    leaseMs: config.outbox.leaseMs,
    maxAgeMs: config.outbox.maxAgeMs,
    pacing: outboxPacing(config.telegramPacing),
    metrics,
  });
  const inlineDrafts = createInlineDrafts({ db, now });
  const reconciler = createReconciler({
    db,
    payments,
    invoices,
    logger,
    now,
    budget: recheckBudget,
    intervalMs: config.recheck.intervalMs,
    onApplied: () => outbox.wake(),
    reminders: lifecycle,
    drafts: inlineDrafts,
  });

  const permissions = createPermissions({
    api: telegramApi(10),
    logger,
    merchantUserIds: config.merchantUserIds,
    merchantChatIds: config.merchantChatIds,
  });
  const bot = createBot(config.botToken, {
    invoices,
    lifecycle,
    wakeOutbox: () => outbox.wake(),
    reports: createInvoiceReports({ db, now }),
    inlineDrafts,
    translator,
    permissions,
    rateQuota,
    payRateLimitPerMinute: config.payRateLimitPerMinute,
    invoiceGlobalLimitPerMinute: config.invoiceGlobalLimitPerMinute,
    chatSettings,
    logger,
    apiRoot: config.telegramApiRoot,
    tokens: config.tokens,
    now,
    botInfo,
    metrics,
  });
  bot.api.config.use(abortWith(telegramCalls.signal));

  const telegramWebhook =
    config.botMode === 'webhook'
      ? createTelegramWebhook({
          secretToken: config.telegramWebhookSecret ?? '',
          logger,
          // The same bound as the runner's in polling mode: past it Telegram gets 503 and retries.
          maxInFlight: config.botConcurrency,
          isFirstDelivery: createUpdateLog(db).isFirstDelivery,
          handleUpdate: (update) => bot.handleUpdate(update),
        })
      : undefined;
  const app = createServer({
    invoices,
    logger,
    smartyPaySecretKey: config.smartyPay.secretKey,
    ping: database.ping,
    onWebhookApplied: () => outbox.wake(),
    routers: telegramWebhook ? [telegramWebhook.router] : [],
    metrics,
  });

  return {
    config,
    logger,
    database,
    translator,
    permissions,
    bot,
    http: { app, metrics: createMetricsApp({ metrics, logger, token: config.metrics.token }) },
    telegramWebhook,
    workers: { outbox, reconciler, outboxMonitor },
    abortTelegramCalls: () => telegramCalls.abort(new Error('shutting down: SHUTDOWN_TIMEOUT_MS passed')),
  } satisfies BuiltApp;
}

/**
 * Calls through the Api end when `signal` aborts (grammY takes a signal per call, none per client). A call with its
 * own signal (the runner's getUpdates, which its stop() aborts) keeps it: combining them with AbortSignal.any on
 * every long poll would pile up signals tied to this long-lived one.
 */
function abortWith(signal: AbortSignal): Transformer {
  // grammY types signals with its abort-controller shim; a native one is what its fetch uses.
  const shutdown = signal as NonNullable<Parameters<Transformer>[3]>;
  return (prev, method, payload, callSignal) => prev(method, payload, callSignal ?? shutdown);
}
