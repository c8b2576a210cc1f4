import { type Config, loadConfig } from '../../src/config.js';
import type { Database } from '../../src/db/client.js';
import { type RunningApp, type StartOptions, startApp } from '../../src/main.js';
import { appEnv } from './app-process.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { type FakeSmartyPay, startFakeSmartyPay } from './fake-smartypay.js';
import { type FakeTelegram, startFakeTelegram } from './fake-telegram.js';
import { type CapturedLogs, captureLogs } from './logs.js';

// The real app, wired by startApp exactly as `npm start` wires it, against fakes that speak
// Telegram's and SMARTy Pay's HTTP protocols on loopback.

/**
 * The card is an outbox message like any other, so with Telegram's per-chat pacing a group's first confirmation
 * would wait 3.1 s behind its card in every test. Pacing is tested where it is the subject (test/notify/pacing.test.ts,
 * claims.test.ts; test/reliability/process.test.ts runs the defaults; a test may set these again).
 */
export const NO_CHAT_PACING = { TELEGRAM_PRIVATE_CHAT_INTERVAL_MS: '0', TELEGRAM_GROUP_CHAT_INTERVAL_MS: '0' };

export interface Harness {
  telegram: FakeTelegram;
  smartypay: FakeSmartyPay;
  database: TestDatabase;
  app: RunningApp;
  config: Config;
  logs: CapturedLogs;
  webhookUrl: string;
  /** The app's database, for assertions on rows. */
  db: Database;
  /**
   * Stops the app and starts it again on the same database and fakes, as a deploy or a crash-and-restart would
   * (`app` and `db` then name the new one).
   */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  now?: () => Date;
  /**
   * Rewrites the Postgres URL the app connects to (e.g. through a TCP proxy that can cut it).
   * Not called for PGlite; the harness keeps the original URL for creating and dropping the database.
   */
  rewriteDatabaseUrl?: (url: string) => string;
  /** Connection limits of the app's listeners (small ones keep timeout tests fast). */
  httpLimits?: StartOptions['httpLimits'];
  /** Sees every statement the app sends to its database after the migrations. */
  onQuery?: StartOptions['onQuery'];
  /** Runs once the fakes are up, before the app starts (e.g. to inject a startup fault). */
  beforeStart?: (fakes: { telegram: FakeTelegram; smartypay: FakeSmartyPay }) => void;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const telegram = await startFakeTelegram({ maxLongPollMs: 200 });
  const smartypay = await startFakeSmartyPay();
  const database = await createTestDatabase();
  const url = database.url ? (options.rewriteDatabaseUrl?.(database.url) ?? database.url) : undefined;
  const config = loadConfig(
    appEnv(
      { telegram, smartypay },
      { url, dataDir: database.dataDir },
      {
        SMARTYPAY_TIMEOUT_MS: '2000',
        LOG_LEVEL: 'debug',
        SHUTDOWN_TIMEOUT_MS: '2000',
        ...NO_CHAT_PACING,
        ...options.env,
      },
    ),
  );
  options.beforeStart?.({ telegram, smartypay });
  const logs = captureLogs([config.botToken, config.smartyPay.secretKey]);
  const start = () =>
    startApp(config, {
      logger: logs.logger,
      now: options.now,
      httpLimits: options.httpLimits,
      ...(options.onQuery && { onQuery: options.onQuery }),
    });
  let app = await start();
  const harness: Harness = {
    telegram,
    smartypay,
    database,
    app,
    config,
    logs,
    webhookUrl: `${app.url}/webhooks/smartypay`,
    db: app.database.db,
    async restart() {
      await app.stop();
      app = await start();
      harness.app = app;
      harness.db = app.database.db;
      harness.webhookUrl = `${app.url}/webhooks/smartypay`;
    },
    async close() {
      await app.stop();
      await telegram.close();
      await smartypay.close();
      await database.drop();
    },
  };
  return harness;
}

/**
 * For tests: applies the stored SMARTy Pay webhooks, then sends what the outbox has due, until neither has work.
 * The webhook route answers 200 once a webhook is stored; applying it follows (src/invoices/webhook-inbox.ts).
 */
export async function settle(app: RunningApp, timeoutMs = 10_000): Promise<void> {
  await app.workers.webhookInbox.drain(timeoutMs);
  await app.workers.outbox.drain(timeoutMs);
}

/**
 * Posts a signed webhook as SMARTy Pay would, waits until the app applied it, and says what applying it did (the
 * outcome the inbox logged for it: applied, duplicate, stale, unknown_invoice, ignored), or undefined if it was not
 * stored (a refused signature or body).
 */
export async function sendAndApply(
  h: Harness,
  invoiceId: string,
  options: Parameters<FakeSmartyPay['sendWebhook']>[2] = {},
): Promise<{ status: number; body: string; outcome: string | undefined }> {
  const before = h.logs.lines.length;
  const answer = await h.smartypay.sendWebhook(h.webhookUrl, invoiceId, options);
  await h.app.workers.webhookInbox.drain();
  const line = h.logs.lines.slice(before).find((l) => l.inboxId !== undefined && typeof l.outcome === 'string');
  return { ...answer, outcome: line?.outcome as string | undefined };
}
