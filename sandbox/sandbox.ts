import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { type RunningApp, startApp } from '../src/main.js';
import { buildPage } from '../src/miniapp/page/build.mjs';
import { type FakeSmartyPay, startFakeSmartyPay } from '../test/support/fake-smartypay.js';
import { type FakeTelegram, startFakeTelegram } from '../test/support/fake-telegram.js';
import { fakesEnv } from '../test/support/fakes-env.js';
import { signInitData } from '../test/support/init-data.js';
import { createSandboxChannel, type SandboxChannel } from './channel.js';
import { createSandboxChats, SANDBOX_USERS, type SandboxChats } from './chat.js';
import { createSandboxCheckout, type SandboxCheckout } from './checkout.js';
import { createSandboxClock, type SandboxClock } from './clock.js';
import { createSandboxServer } from './server.js';

// The whole payment flow on one machine with no accounts: the real app (startApp, embedded PGlite)
// between the test fakes of Telegram's Bot API and SMARTy Pay, and a page that drives both.

export interface SandboxOptions {
  /** The page's port (0 picks a free one). */
  port?: number;
  host?: string;
  /** Where PGlite keeps its files; a temporary folder (removed on stop) when unset. */
  dataDir?: string;
  /** The app's LOG_LEVEL. */
  logLevel?: string;
  /** More of the app's variables, over the sandbox's own (tests turn Telegram's per-chat pacing off). */
  env?: Record<string, string>;
}

export interface Sandbox {
  /** The page. */
  url: string;
  app: RunningApp;
  telegram: FakeTelegram;
  smartypay: FakeSmartyPay;
  chats: SandboxChats;
  /** A private channel the merchant can sell access to (/setaccess): joins and removals on the page. */
  channel: SandboxChannel;
  checkout: SandboxCheckout;
  clock: SandboxClock;
  stop(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const host = options.host ?? '127.0.0.1';
  const tempDir = options.dataDir ? undefined : mkdtempSync(join(tmpdir(), 'paybot-sandbox-'));
  const dataDir = options.dataDir ?? (tempDir as string);
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  const cleanUp = async () => {
    for (const step of cleanups.reverse()) await Promise.resolve(step()).catch(() => {});
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  };

  try {
    // The page listens first: the card's Pay button must point at its checkout.
    const server = createServer();
    const port = await listen(server, options.port ?? 3000, host);
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );
    const url = `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${port}`;

    const telegram = await startFakeTelegram();
    cleanups.push(() => telegram.close());
    const smartypay = await startFakeSmartyPay();
    cleanups.push(() => smartypay.close());
    const clock = createSandboxClock();
    // Chats of their own per run: with a kept DATA_DIR the fake's message ids start over, and an old
    // (chat, /pay message) pair would make the new /pay look like a repeat. A private chat's id is its
    // person's user id, so the people get new ids too.
    const run = Math.floor(Date.now() / 1000) % 1e9;
    const users = {
      merchant: { ...SANDBOX_USERS.merchant, id: 4_000_000_000 + run },
      customer: { ...SANDBOX_USERS.customer, id: 5_000_000_000 + run },
      shopper: { ...SANDBOX_USERS.shopper, id: 6_000_000_000 + run },
    };
    const config = loadConfig({
      ...fakesEnv({ telegram, smartypay }),
      SMARTYPAY_CHECKOUT_URL: `${url}/checkout`,
      DATABASE_URL: '',
      DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      // A free port for /metrics too (app.metricsUrl), so sandboxes and a running bot never fight over 9464.
      METRICS_PORT: '0',
      LOG_LEVEL: options.logLevel ?? 'warn',
      SHUTDOWN_TIMEOUT_MS: '2000',
      // The page's merchant; without one the bot would start in setup mode.
      MERCHANT_USER_IDS: String(users.merchant.id),
      ...options.env,
    });
    // The dashboard's page, as `npm run build` makes it (the sandbox runs the sources, never the build).
    await buildPage();
    const app = await startApp(config, { now: clock.now });
    cleanups.push(() => app.stop());

    const chats = createSandboxChats({
      telegram,
      groupId: -1_000_000_000_000 - run,
      users,
    });
    const channel = createSandboxChannel({ telegram, id: -1_002_000_000_000 - run, users });
    const checkout = createSandboxCheckout({
      smartypay,
      webhookUrl: `${app.url}/webhooks/smartypay`,
      clock,
      workers: app.workers,
    });
    server.on(
      'request',
      createSandboxServer({
        chats,
        channel,
        checkout,
        clock,
        smartypay,
        db: app.database.db,
        botName: telegram.botInfo.first_name,
        dashboardUrl: () => dashboardUrl(app.url, config.botToken, users.merchant, clock.now()),
      }),
    );

    let stopping: Promise<void> | undefined;
    return {
      url,
      app,
      telegram,
      smartypay,
      chats,
      channel,
      checkout,
      clock,
      stop: () => {
        stopping ??= cleanUp();
        return stopping;
      },
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

/**
 * /app/ opened the way Telegram Desktop opens a Mini App: the launch parameters in the hash, the init data signed
 * with the bot token for `user` at `now` (the sandbox's clock, which the bot checks the session's age against).
 */
export function dashboardUrl(
  appUrl: string,
  botToken: string,
  user: { id: number; first_name: string; language_code?: string },
  now: Date,
): string {
  const hash = new URLSearchParams({
    tgWebAppData: signInitData(botToken, user, now),
    tgWebAppVersion: '8.0',
    tgWebAppPlatform: 'tdesktop',
    tgWebAppThemeParams: JSON.stringify({ bg_color: '#ffffff', text_color: '#000000', button_color: '#3390ec' }),
  });
  return `${appUrl}/app/#${hash}`;
}
