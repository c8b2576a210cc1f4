import type { Server } from 'node:http';
import { pathToFileURL } from 'node:url';
import { type RunnerHandle, run } from '@grammyjs/runner';
import { Api } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import type { Logger } from 'pino';
import { createBot } from './bot/bot.js';
import { publishCommands } from './bot/commands.js';
import { createPermissions } from './bot/permissions.js';
import { createUpdateLog } from './bot/update-log.js';
import { createChatSettings } from './chats/settings.js';
import { type Config, ConfigError, envFileToLoad, loadConfig } from './config.js';
import { connectDatabase, connectTelegram } from './connect.js';
import type { DatabaseHandle } from './db/client.js';
import { DEFAULT_HTTP_LIMITS, type HttpLimits, listen, urlOf } from './http/listen.js';
import { createMetricsApp } from './http/metrics-server.js';
import { createServer } from './http/server.js';
import { SMARTYPAY_WEBHOOK_PATH } from './http/smartypay-webhook.js';
import { createTelegramWebhook, TELEGRAM_WEBHOOK_PATH } from './http/telegram-webhook.js';
import { createTranslator, pickLocale } from './i18n/index.js';
import { createInlineDrafts } from './invoices/inline-drafts.js';
import { createInvoiceLifecycle } from './invoices/lifecycle.js';
import { createRateQuota } from './invoices/quota.js';
import { createRecheckBudget } from './invoices/recheck-budget.js';
import { createReconciler, type Reconciler } from './invoices/reconciler.js';
import { createInvoiceReports } from './invoices/reports.js';
import { createInvoiceService } from './invoices/service.js';
import { createLogger } from './logger.js';
import { createMetrics } from './metrics.js';
import { createOutboxWorker, type OutboxWorker } from './notify/outbox.js';
import { createOutboxMonitor, type OutboxMonitor } from './notify/outbox-monitor.js';
import { createSmartyPayClient } from './payments/client.js';
import { createStartedStack, StartupError, untilAborted } from './startup.js';

// The one place where things are built and wired: config → logger → db → metrics → clients → services
// → bot → http → workers. It also owns shutdown.

const ALLOWED_UPDATES = ['message', 'callback_query', 'inline_query', 'chosen_inline_result'] as const;

export interface StartOptions {
  logger?: Logger;
  now?: () => Date;
  botInfo?: UserFromGetMe;
  /** Connection limits of both listeners (tests make them small). */
  httpLimits?: Partial<HttpLimits>;
}

export interface RunningApp {
  /** The bound HTTP address (PORT=0 picks a free one). */
  url: string;
  /** GET /metrics lives here (METRICS_HOST:METRICS_PORT; METRICS_PORT=0 picks a free port), never on `url`. */
  metricsUrl: string;
  /** The app's own database handle (tests assert on rows through it; PGlite allows one opener). */
  database: DatabaseHandle;
  /** Background loops; tests drive them directly with an injected clock. */
  workers: { outbox: OutboxWorker; reconciler: Reconciler; outboxMonitor: OutboxMonitor };
  stop(): Promise<void>;
}

export async function startApp(config: Config, options: StartOptions = {}): Promise<RunningApp> {
  const logger =
    options.logger ??
    createLogger({
      level: config.logLevel,
      secrets: secretsOf(config),
      pretty: config.logFormat === 'pretty' || (config.logFormat === 'auto' && process.stdout.isTTY === true),
    });
  // Whatever fails during start (a deadline, a refused port, Telegram saying no) stops what was already started,
  // so no listener, worker or connection outlives a failed start.
  const started = createStartedStack(logger);
  try {
    return await build(config, options, logger, started);
  } catch (error) {
    await started.unwind();
    throw error;
  }
}

async function build(
  config: Config,
  options: StartOptions,
  logger: Logger,
  started: ReturnType<typeof createStartedStack>,
): Promise<RunningApp> {
  const now = options.now ?? (() => new Date());
  // Telegram, then the database, then each later call to Telegram gets STARTUP_TIMEOUT_SECONDS to answer, with
  // visible retries; past it a StartupError names the service. Opening embedded PGlite is local work and has no
  // deadline (a slow disk is not a service that does not answer). Telegram first: its answer takes milliseconds,
  // and a Telegram that is down fails the start without waiting for PGlite's first open.
  const seconds = Math.round(config.startupTimeoutMs / 1000);
  const beforeDeadline = async <T>(promise: Promise<T>, step: string): Promise<T> => {
    const timeout = AbortSignal.timeout(config.startupTimeoutMs);
    try {
      return await untilAborted(promise, timeout);
    } catch (error) {
      if (!timeout.aborted) throw error;
      throw new StartupError('Telegram', config.telegramApiRoot, `did not answer ${step} within ${seconds} s`);
    }
  };

  const connecting = () => ({ deadline: Date.now() + config.startupTimeoutMs, logger });
  const botInfo =
    options.botInfo ??
    (await connectTelegram({ ...connecting(), token: config.botToken, apiRoot: config.telegramApiRoot }));
  const database = await connectDatabase({
    ...connecting(),
    url: config.databaseUrl,
    dataDir: config.dataDir,
    poolMax: config.databasePoolMax,
  });
  started.push('the database', () => database.close());
  logger.info({ driver: database.driver }, 'database ready, migrations applied');
  const chatSettings = createChatSettings({ db: database.db, now });
  const translator = createTranslator({
    localeOf: async (ctx) =>
      (ctx.chat && (await chatSettings.locale(ctx.chat.id))) ?? pickLocale(ctx.from?.language_code),
  });
  const outboxMonitor = createOutboxMonitor({ db: database.db, logger, now });
  const metrics = createMetrics({ readOutbox: () => outboxMonitor.snapshot(), logger });

  const payments = createSmartyPayClient({
    apiKey: config.smartyPay.apiKey,
    secretKey: config.smartyPay.secretKey,
    host: config.smartyPay.apiHost,
    timeoutMs: config.smartyPay.timeoutMs,
    maxInFlight: config.smartyPay.maxInFlight,
    // Request signatures carry wall-clock time (SMARTy Pay rejects skewed ones), not the domain clock.
  });
  // Its own client: a per-call timeout well under the outbox lease, so a hung call cannot outlive the
  // lease and be sent again by another worker while Telegram is still processing it.
  const outboxApi = new Api(config.botToken, {
    apiRoot: config.telegramApiRoot,
    timeoutSeconds: Math.max(1, Math.floor(config.outbox.leaseMs / 3000)),
  });
  const outboxWorker = createOutboxWorker({
    db: database.db,
    api: outboxApi,
    logger,
    translator,
    now,
    leaseMs: config.outbox.leaseMs,
    maxAgeMs: config.outbox.maxAgeMs,
    // A bucket of two refilled at max - 3 per second: no one-second window sees more than max - 1 at
    // claim time, leaving one message of room for the jitter between claiming and reaching Telegram;
    // the spare token absorbs the loop's own scheduling delays.
    pacing: {
      ...config.telegramPacing,
      perSecond: Math.max(1, config.telegramPacing.perSecond - 3),
      burst: Math.min(2, config.telegramPacing.perSecond),
    },
    metrics,
  });
  const invoices = createInvoiceService({
    db: database.db,
    query: database.query,
    payments,
    logger,
    checkoutUrl: config.smartyPay.checkoutUrl,
    ttlMinutes: config.invoiceTtlMinutes,
    reminderMinutes: config.reminderMinutes,
    now,
    metrics,
    outbox: outboxWorker,
  });
  // One re-check budget for the reconciler and "Check status" taps together.
  const recheckBudget = createRecheckBudget({ maxPerMinute: config.recheck.maxPerMinute, now });
  const rateQuota = createRateQuota({ query: database.query, now });
  const lifecycle = createInvoiceLifecycle({
    db: database.db,
    query: database.query,
    payments,
    invoices,
    logger,
    now,
    budget: recheckBudget,
    perUser: { quota: rateQuota, perMinute: config.checkStatusPerUserPerMinute },
    outbox: outboxWorker,
  });

  const inlineDrafts = createInlineDrafts({ db: database.db, now });
  const reconciler = createReconciler({
    db: database.db,
    payments,
    invoices,
    logger,
    now,
    budget: recheckBudget,
    intervalMs: config.recheck.intervalMs,
    reminders: lifecycle,
    drafts: inlineDrafts,
  });

  const permissions = createPermissions({
    api: new Api(config.botToken, { apiRoot: config.telegramApiRoot, timeoutSeconds: 10 }),
    logger,
    merchantUserIds: config.merchantUserIds,
    merchantChatIds: config.merchantChatIds,
  });
  const bot = createBot(config.botToken, {
    invoices,
    lifecycle,
    reports: createInvoiceReports({ db: database.db, now }),
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
    invoices,
    logger,
    smartyPaySecretKey: config.smartyPay.secretKey,
    ping: database.ping,
    routers: telegramWebhook ? [telegramWebhook.router] : [],
    metrics,
  });

  const limits: HttpLimits = { ...DEFAULT_HTTP_LIMITS, ...options.httpLimits };
  await bot.init(); // botInfo is known: no call to Telegram
  const server = await listen(app, config.http.port, config.http.host, limits);
  started.push('the HTTP server', () => closeNow(server));
  const metricsServer = await listen(
    createMetricsApp({ metrics, logger, token: config.metrics.token }),
    config.metrics.port,
    config.metrics.host,
    limits,
  );
  started.push('the metrics server', () => closeNow(metricsServer));
  const metricsUrl = `${urlOf(metricsServer, config.metrics.host)}/metrics`;

  await beforeDeadline(publishCommands(bot.api, translator, logger), 'setMyCommands');
  outboxWorker.start();
  started.push('the outbox worker', () => outboxWorker.stop(0));
  reconciler.start();
  started.push('the reconciler', () => reconciler.stop());
  outboxMonitor.start();
  started.push('the outbox monitor', () => outboxMonitor.stop());
  let runner: RunnerHandle | undefined;
  if (telegramWebhook) {
    const webhookUrl = `${config.publicUrl}${TELEGRAM_WEBHOOK_PATH}`;
    await beforeDeadline(
      bot.api.setWebhook(webhookUrl, { secret_token: config.telegramWebhookSecret, allowed_updates: ALLOWED_UPDATES }),
      'setWebhook',
    );
    logger.info({ webhookUrl }, 'Telegram delivers updates to this URL (webhook mode)');
  } else {
    // Long polling and a webhook exclude each other at Telegram.
    await beforeDeadline(bot.api.deleteWebhook({ drop_pending_updates: false }), 'deleteWebhook');
    runner = run(bot, {
      runner: { fetch: { allowed_updates: ALLOWED_UPDATES }, silent: true },
      sink: { concurrency: config.botConcurrency },
    });
  }
  if (config.publicUrl) {
    const smartyPayWebhookUrl = `${config.publicUrl}${SMARTYPAY_WEBHOOK_PATH}`;
    logger.info(
      { smartyPayWebhookUrl },
      `SMARTy Pay's webhook URL (set it in SMARTy Pay's dashboard): ${smartyPayWebhookUrl}`,
    );
  }

  const url = urlOf(server, config.http.host);
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

  let stopping: Promise<void> | undefined;
  return {
    url,
    metricsUrl,
    database,
    workers: { outbox: outboxWorker, reconciler, outboxMonitor },
    stop() {
      stopping ??= (async () => {
        logger.info('shutting down: no new updates, finishing work in flight');
        const httpClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const metricsClosed = closeNow(metricsServer);
        await runner?.stop();
        // stop() ends fetching; updates already fetched are confirmed to Telegram, so they must finish here.
        await waitUntilIdle(() => runner?.size() ?? 0, config.shutdownTimeoutMs);
        // Webhook mode: Telegram got its 200 for these already; finish them the same way.
        if (telegramWebhook) await withDeadline(telegramWebhook.idle(), config.shutdownTimeoutMs);
        await withDeadline(httpClosed, config.shutdownTimeoutMs);
        server.closeAllConnections();
        await metricsClosed;
        outboxMonitor.stop();
        await reconciler.stop();
        await outboxWorker.stop(config.shutdownTimeoutMs);
        await database.close();
        logger.info('stopped');
      })();
      return stopping;
    },
  };
}

/** Exact secret values scrubbed from every log line and from the start-up failure line. */
function secretsOf(config: Config): string[] {
  return [
    config.botToken,
    config.smartyPay.secretKey,
    config.smartyPay.apiKey,
    config.telegramWebhookSecret,
    config.metrics.token,
  ].filter((secret): secret is string => Boolean(secret));
}

function closeNow(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function loadEnvFileKeepingExisting(path: string): void {
  const before = { ...process.env };
  process.loadEnvFile(path);
  Object.assign(process.env, before);
}

async function waitUntilIdle(busy: () => number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (busy() > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}

function withDeadline(promise: Promise<unknown>, ms: number): Promise<unknown> {
  return Promise.race([promise, new Promise((resolve) => setTimeout(resolve, ms).unref())]);
}

async function main(): Promise<void> {
  // A .env beside the app (or the file ENV_FILE names) is a convenience for local runs; real variables win.
  const envFile = envFileToLoad(process.env);
  if (envFile.problem) {
    process.stderr.write(`config error: ${envFile.problem}\n`);
    process.exit(1);
  }
  if (envFile.path) loadEnvFileKeepingExisting(envFile.path);
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const problem of error.problems) process.stderr.write(`config error: ${problem}\n`);
      process.stderr.write('See README.md ("Configuration") and .env.example.\n');
      process.stderr.write('No accounts yet? `npm run sandbox` tries everything locally, with no configuration.\n');
      process.exit(1);
    }
    throw error;
  }
  let app: RunningApp;
  try {
    app = await startApp(config);
  } catch (error) {
    // One line naming what failed (StartupError: Telegram or the database, where, and the cause); no secrets.
    const message = secretsOf(config)
      .filter((secret) => secret.length >= 6) // as the logger: a one-letter "secret" would shred the line
      .reduce((text, secret) => text.split(secret).join('[REDACTED]'), (error as Error)?.message ?? String(error));
    process.stderr.write(`startup failed: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
    process.exit(1);
  }
  const shutdown = (signal: string) => {
    process.stderr.write(`${signal} received\n`);
    app.stop().then(
      () => process.exit(0),
      (error) => {
        process.stderr.write(`shutdown failed: ${(error as Error)?.message}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
