import { setMaxListeners } from 'node:events';
import type { RequestListener } from 'node:http';
import type { Express } from 'express';
import type { Bot } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import type { Logger } from 'pino';
import { createBot } from '../bot/bot.js';
import type { BotContext } from '../bot/context.js';
import type { Config } from '../config.js';
import { connectDatabase } from '../connect.js';
import type { DatabaseHandle, QueryObserver } from '../db/client.js';
import { createUpdateLog } from '../db/update-log.js';
import { createMetricsApp } from '../http/metrics-server.js';
import { createServer } from '../http/server.js';
import { SMARTYPAY_WEBHOOK_PATH } from '../http/smartypay-webhook.js';
import { createTelegramWebhook, type TelegramWebhook } from '../http/telegram-webhook.js';
import type { Translator } from '../i18n/index.js';
import { createPermissions, type Permissions } from '../merchants/permissions.js';
import { createMiniAppRouter } from '../miniapp/router.js';
import { endingSoonMs } from '../views/access.js';
import { abortWith, createServices, type Services, telegramApi } from './services.js';

// Build: open the database, then wire every object of the app — services and workers (services.ts), the bot, the
// HTTP apps. Nothing listens, no loop runs and Telegram is not called; start.ts does that.

export interface BuildOptions {
  logger: Logger;
  now?: () => Date;
  /** Who the bot is (getMe, asked before the build). */
  botInfo: UserFromGetMe;
  /** Tests: sees every statement sent to the database (test/db/hot-queries-explain.test.ts EXPLAINs them). */
  onQuery?: QueryObserver | undefined;
}

export interface BuiltApp {
  config: Config;
  logger: Logger;
  database: DatabaseHandle;
  translator: Translator;
  permissions: Permissions;
  bot: Bot<BotContext>;
  /** The webhook port's app and the metrics port's app, not listening yet. */
  http: { app: RequestListener; metrics: Express };
  /** Webhook mode only: the route Telegram pushes updates to. */
  telegramWebhook: TelegramWebhook | undefined;
  workers: Services['workers'];
  /** Aborts every Telegram call still in flight (the bot's and the outbox's): shutdown's last resort. */
  abortTelegramCalls(): void;
}

export async function buildApp(config: Config, options: BuildOptions): Promise<BuiltApp> {
  const { logger, now = () => new Date(), botInfo, onQuery } = options;
  const database = await connectDatabase({
    deadline: Date.now() + config.startupTimeoutMs,
    logger,
    url: config.databaseUrl,
    dataDir: config.dataDir,
    poolMax: config.databasePoolMax,
    onQuery,
  });
  logger.info({ driver: database.driver }, 'database ready, migrations applied');
  try {
    const telegramCalls = new AbortController();
    // Every Telegram call in flight listens on this one signal until it ends (grammY removes its listener then), so
    // more than Node's default of 10 at once is normal (outbox sends, handlers), not a leak; the bound still
    // catches a real one.
    setMaxListeners(10_000, telegramCalls.signal);
    const services = createServices(config, {
      logger,
      now,
      database,
      telegramCalls: telegramCalls.signal,
      botUsername: botInfo.username,
    });
    const permissions = createPermissions({
      api: telegramApi(config, 10, telegramCalls.signal),
      logger,
      merchantUserIds: config.merchantUserIds,
      merchantChatIds: config.merchantChatIds,
    });
    const bot = createAppBot(config, { services, permissions, logger, now, botInfo });
    bot.api.config.use(abortWith(telegramCalls.signal));
    const telegramWebhook =
      config.botMode === 'webhook'
        ? createTelegramWebhook({
            secretToken: config.telegramWebhookSecret ?? '',
            logger,
            // The same bound as the runner's in polling mode: past it Telegram gets 503 and retries.
            maxInFlight: config.botConcurrency,
            isFirstDelivery: createUpdateLog(database.db).isFirstDelivery,
            handleUpdate: (update) => bot.handleUpdate(update),
          })
        : undefined;
    const app = createServer({
      webhookInbox: services.workers.webhookInbox,
      logger,
      smartyPaySecretKey: config.smartyPay.secretKey,
      ping: database.ping,
      routers: [
        createAppMiniApp(config, { services, permissions, logger, now }),
        ...(telegramWebhook ? [telegramWebhook.router] : []),
      ],
      metrics: services.metrics,
    });
    return {
      config,
      logger,
      database,
      translator: services.translator,
      permissions,
      bot,
      http: { app, metrics: createMetricsApp({ metrics: services.metrics, logger, token: config.metrics.token }) },
      telegramWebhook,
      workers: services.workers,
      abortTelegramCalls: () => telegramCalls.abort(new Error('shutting down: SHUTDOWN_TIMEOUT_MS passed')),
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}

interface BotWiring {
  services: Services;
  permissions: Permissions;
  logger: Logger;
  now: () => Date;
  botInfo: UserFromGetMe;
}

function createAppBot(config: Config, { services, permissions, logger, now, botInfo }: BotWiring) {
  return createBot(config.botToken, {
    invoices: services.invoices,
    lifecycle: services.lifecycle,
    reports: services.reports,
    inlineDrafts: services.inlineDrafts,
    products: services.products,
    sales: services.sales,
    access: services.access,
    accessGrants: services.accessGrants,
    accessLapse: services.accessLapse,
    endingSoonMs: endingSoonMs(config.accessReminderHours),
    translator: services.translator,
    permissions,
    rateQuota: services.rateQuota,
    payRateLimitPerMinute: config.payRateLimitPerMinute,
    invoiceGlobalLimitPerMinute: config.invoiceGlobalLimitPerMinute,
    chatSettings: services.chatSettings,
    logger,
    apiRoot: config.telegramApiRoot,
    tokens: config.tokens,
    now,
    botInfo,
    metrics: services.metrics,
    publicUrl: config.publicUrl,
  });
}

/** The dashboard Mini App (/app/ and /app/api/): the same services as the bot's commands. */
function createAppMiniApp(config: Config, wiring: Pick<BotWiring, 'services' | 'permissions' | 'logger' | 'now'>) {
  const { services, permissions, logger, now } = wiring;
  return createMiniAppRouter({
    botToken: config.botToken,
    maxAgeSeconds: config.miniAppAuthMaxAgeSeconds,
    now,
    permissions,
    logger,
    reports: services.reports,
    products: services.products,
    grants: services.accessGrants,
    lapse: services.accessLapse,
    settings: {
      tokens: config.tokens,
      invoiceTtlMinutes: config.invoiceTtlMinutes,
      reminderMinutes: config.reminderMinutes,
      accessReminderHours: config.accessReminderHours,
      smartyPayWebhookUrl: config.publicUrl && `${config.publicUrl}${SMARTYPAY_WEBHOOK_PATH}`,
    },
  });
}
