import { type RunnerHandle, run } from '@grammyjs/runner';
import type { UserFromGetMe } from 'grammy/types';
import type { Logger } from 'pino';
import { publishCommands } from '../bot/commands.js';
import { dashboardUrl, keepDashboardMenuButton } from '../bot/features/dashboard.js';
import type { Config } from '../config.js';
import { connectTelegram } from '../connect.js';
import type { DatabaseHandle, QueryObserver } from '../db/client.js';
import type { Retention } from '../db/retention.js';
import { DEFAULT_HTTP_LIMITS, type HttpLimits, listen, urlOf } from '../http/listen.js';
import { SMARTYPAY_WEBHOOK_PATH } from '../http/smartypay-webhook.js';
import { TELEGRAM_WEBHOOK_PATH } from '../http/telegram-webhook.js';
import type { Reconciler } from '../invoices/reconciler.js';
import type { WebhookInbox } from '../invoices/webhook-inbox.js';
import { createLogger } from '../logger.js';
import type { OutboxWorker } from '../notify/outbox.js';
import type { OutboxMonitor } from '../notify/outbox-monitor.js';
import { answerWithin, createStartedStack } from '../startup.js';
import { type BuiltApp, buildApp } from './build.js';
import { secretsOf } from './secrets.js';
import { closeNow, stopApp } from './stop.js';

// The composition root: ask Telegram who the bot is → build (open the database, wire every object) → start (listen,
// publish the commands, start the workers, take updates). Each piece started is pushed on a stack, so whatever fails
// during start (a deadline, a refused port, Telegram saying no) stops what was already started.

// chat_join_request: a buyer of paid access asks to join through their personal link (src/bot/features/access-join.ts).
const ALLOWED_UPDATES = [
  'message',
  'callback_query',
  'inline_query',
  'chosen_inline_result',
  'chat_join_request',
] as const;

export interface StartOptions {
  logger?: Logger;
  now?: () => Date;
  botInfo?: UserFromGetMe;
  /** Connection limits of both listeners (tests make them small). */
  httpLimits?: Partial<HttpLimits>;
  /** Tests: sees every statement sent to the database after the migrations. */
  onQuery?: QueryObserver;
}

export interface RunningApp {
  /** The bound HTTP address (PORT=0 picks a free one). */
  url: string;
  /** GET /metrics lives here (METRICS_HOST:METRICS_PORT; METRICS_PORT=0 picks a free port), never on `url`. */
  metricsUrl: string;
  /** The app's own database handle (tests assert on rows through it; PGlite allows one opener). */
  database: DatabaseHandle;
  /** Background loops; tests drive them directly with an injected clock. */
  workers: {
    outbox: OutboxWorker;
    webhookInbox: WebhookInbox;
    reconciler: Reconciler;
    outboxMonitor: OutboxMonitor;
    retention: Retention;
  };
  /** Stops everything within SHUTDOWN_TIMEOUT_MS in total (src/app/stop.ts); calling it again waits for the same. */
  stop(): Promise<void>;
}

export async function startApp(config: Config, options: StartOptions = {}): Promise<RunningApp> {
  const logger = options.logger ?? appLogger(config);
  const started = createStartedStack(logger);
  try {
    // Telegram before the database: its answer takes milliseconds, and a Telegram that is down fails the start
    // without waiting for PGlite's first open (local work with no deadline).
    const botInfo =
      options.botInfo ??
      (await connectTelegram({
        deadline: Date.now() + config.startupTimeoutMs,
        logger,
        token: config.botToken,
        apiRoot: config.telegramApiRoot,
      }));
    const app = await buildApp(config, { logger, now: options.now, botInfo, onQuery: options.onQuery });
    started.push('the database', () => app.database.close());
    return await start(app, { ...DEFAULT_HTTP_LIMITS, ...options.httpLimits }, started);
  } catch (error) {
    await started.unwind();
    throw error;
  }
}

async function start(app: BuiltApp, limits: HttpLimits, started: ReturnType<typeof createStartedStack>) {
  const { config, logger, bot, workers } = app;
  // Each call to Telegram after getMe gets STARTUP_TIMEOUT_SECONDS; past it a StartupError names the step.
  const telegram = (step: string) => ({ dependency: 'Telegram' as const, target: config.telegramApiRoot, step });
  await bot.init(); // botInfo is known: no call to Telegram
  const server = await listen(app.http.app, config.http.port, config.http.host, limits);
  started.push('the HTTP server', () => closeNow(server));
  const metricsServer = await listen(app.http.metrics, config.metrics.port, config.metrics.host, limits);
  started.push('the metrics server', () => closeNow(metricsServer));

  await answerWithin(
    publishCommands(bot.api, app.translator, logger),
    config.startupTimeoutMs,
    telegram('setMyCommands'),
  );
  await answerWithin(setDashboardMenuButtons(app), config.startupTimeoutMs, telegram('setChatMenuButton'));
  workers.outbox.start();
  started.push('the outbox worker', () => workers.outbox.stop(0));
  workers.webhookInbox.start();
  started.push('the webhook inbox', () => workers.webhookInbox.stop(0));
  workers.reconciler.start();
  started.push('the reconciler', () => workers.reconciler.stop());
  workers.outboxMonitor.start();
  started.push('the outbox monitor', () => workers.outboxMonitor.stop());
  workers.retention.start();
  started.push('data retention', () => workers.retention.stop());

  let runner: RunnerHandle | undefined;
  if (app.telegramWebhook) {
    const webhookUrl = `${config.publicUrl}${TELEGRAM_WEBHOOK_PATH}`;
    const setWebhook = bot.api.setWebhook(webhookUrl, {
      secret_token: config.telegramWebhookSecret,
      allowed_updates: ALLOWED_UPDATES,
    });
    await answerWithin(setWebhook, config.startupTimeoutMs, telegram('setWebhook'));
    logger.info({ webhookUrl }, 'Telegram delivers updates to this URL (webhook mode)');
  } else {
    // Long polling and a webhook exclude each other at Telegram.
    const deleteWebhook = bot.api.deleteWebhook({ drop_pending_updates: false });
    await answerWithin(deleteWebhook, config.startupTimeoutMs, telegram('deleteWebhook'));
    runner = run(bot, {
      runner: { fetch: { allowed_updates: ALLOWED_UPDATES }, silent: true },
      sink: { concurrency: config.botConcurrency },
    });
  }

  const url = urlOf(server, config.http.host);
  const metricsUrl = `${urlOf(metricsServer, config.metrics.host)}/metrics`;
  announce(app, url, metricsUrl);
  let stopping: Promise<void> | undefined;
  return {
    url,
    metricsUrl,
    database: app.database,
    workers,
    stop: () => {
      stopping ??= stopApp({ app, server, metricsServer, runner });
      return stopping;
    },
  } satisfies RunningApp;
}

/**
 * Each merchant's private chat gets the dashboard as its menu button (https PUBLIC_URL only: Telegram opens no
 * other). In English: which language a merchant reads is known only once they write (/dashboard sets it in theirs).
 * A chat whose button already opens this dashboard keeps it (keepDashboardMenuButton); a chat Telegram refuses is
 * logged and skipped.
 */
async function setDashboardMenuButtons({ config, bot, translator, logger }: BuiltApp): Promise<void> {
  const url = dashboardUrl(config.publicUrl);
  if (!url) return;
  const t = translator.forLocale('en');
  for (const merchant of config.merchantUserIds ?? []) {
    await keepDashboardMenuButton(bot.api, merchant, url, t, logger);
  }
}

/** The lines an operator reads once the bot is up. */
function announce({ config, logger, bot, permissions }: BuiltApp, url: string, metricsUrl: string): void {
  if (config.publicUrl) {
    const smartyPayWebhookUrl = `${config.publicUrl}${SMARTYPAY_WEBHOOK_PATH}`;
    logger.info(
      { smartyPayWebhookUrl },
      `SMARTy Pay's webhook URL (set it in SMARTy Pay's dashboard): ${smartyPayWebhookUrl}`,
    );
  }
  const username = bot.botInfo.username;
  logger.info(
    { url, metricsUrl, bot: username },
    `@${username} is running — open https://t.me/${username} and send /start`,
  );
  if (permissions.setupMode) {
    logger.warn(
      `setup mode: nobody can issue invoices yet. Send /id to @${username}, put your user id in MERCHANT_USER_IDS and restart`,
    );
  }
}

function appLogger(config: Config): Logger {
  return createLogger({
    level: config.logLevel,
    secrets: secretsOf(config),
    pretty: config.logFormat === 'pretty' || (config.logFormat === 'auto' && process.stdout.isTTY === true),
  });
}
