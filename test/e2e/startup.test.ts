import { connect } from 'node:net';
import postgres from 'postgres';
import { describe, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startApp } from '../../src/main.js';
import { appEnv, RUNNING_LINE, startProcess } from '../support/app-process.js';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../support/database.js';
import { type FakeSmartyPay, startFakeSmartyPay } from '../support/fake-smartypay.js';
import { type FakeTelegram, startFakeTelegram } from '../support/fake-telegram.js';
import { waitUntil } from '../support/flows.js';
import { captureLogs } from '../support/logs.js';
import { closedPort, type SilentServer, startSilentServer } from '../support/silent-server.js';

// Start-up against services that do not answer: the process says where it connects, retries in the log, and
// exits 1 by STARTUP_TIMEOUT_SECONDS with one line naming what failed. A failed start leaves nothing running.

const TIMEOUT_SECONDS = 3;

// The tests of a block run side by side: each mostly waits out a deadline, so together they take about as long as
// one. Each cleans up after itself through its own context (a global afterEach does not see concurrent tests).
type Cleanup = (step: () => Promise<void>) => void;

async function fakes(cleanup: Cleanup) {
  const telegram: FakeTelegram = await startFakeTelegram({ maxLongPollMs: 200 });
  const smartypay: FakeSmartyPay = await startFakeSmartyPay();
  const database: TestDatabase = await createTestDatabase();
  // onTestFinished runs its steps last-registered first.
  cleanup(() => database.drop());
  cleanup(() => smartypay.close());
  cleanup(() => telegram.close());
  return { telegram, smartypay, database };
}

async function silent(cleanup: Cleanup): Promise<SilentServer> {
  const server = await startSilentServer();
  cleanup(() => server.close());
  return server;
}

/** Runs the app process to its exit; resolves with the exit code, stderr, JSON log lines and the time taken. */
async function runToExit(cleanup: Cleanup, env: Record<string, string>) {
  const started = performance.now();
  const run = startProcess({ ...env, STARTUP_TIMEOUT_SECONDS: String(TIMEOUT_SECONDS) });
  cleanup(async () => {
    if (run.child.exitCode === null) run.child.kill('SIGKILL');
  });
  const code = await run.exited;
  const logs = run.stdout
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, any>);
  return { code, stderr: run.stderr.join('').trim().split('\n'), logs, seconds: (performance.now() - started) / 1000 };
}

// Process start (loading the app) on a busy machine. Telegram is asked before the database is opened, so
// PGlite's slow first open is not part of a Telegram failure.
const SLACK_SECONDS = 15;

describe.concurrent('start-up with a service that does not answer', () => {
  it('Telegram accepts and never answers: exit 1 by the deadline, one line naming Telegram', async ({
    expect,
    onTestFinished,
  }) => {
    const { telegram, smartypay, database } = await fakes(onTestFinished);
    const hung = await silent(onTestFinished);
    const apiRoot = `http://127.0.0.1:${hung.port}`;
    const result = await runToExit(
      onTestFinished,
      appEnv({ telegram, smartypay }, database, { TELEGRAM_API_ROOT: apiRoot, LOG_LEVEL: 'info' }),
    );
    expect(result.code).toBe(1);
    expect(result.stderr, result.stderr.join('\n')).toHaveLength(1);
    expect(result.stderr[0]).toMatch(
      new RegExp(`^startup failed: Telegram \\(${apiRoot}\\) did not answer within ${TIMEOUT_SECONDS} s: no answer`),
    );
    expect(hung.accepted()).toBeGreaterThanOrEqual(1);
    expect(result.logs.find((line) => line.msg === 'connecting to Telegram')?.apiRoot).toBe(apiRoot);
    expect(result.seconds).toBeGreaterThanOrEqual(TIMEOUT_SECONDS);
    expect(result.seconds).toBeLessThan(TIMEOUT_SECONDS + SLACK_SECONDS);
    expect(result.stderr.join('\n')).not.toContain(telegram.token);
  }, 90_000);

  it('Telegram refuses connections: retries visibly, then exit 1 naming Telegram and the cause', async ({
    expect,
    onTestFinished,
  }) => {
    const { telegram, smartypay, database } = await fakes(onTestFinished);
    const apiRoot = `http://127.0.0.1:${await closedPort()}`;
    const result = await runToExit(
      onTestFinished,
      appEnv({ telegram, smartypay }, database, { TELEGRAM_API_ROOT: apiRoot, LOG_LEVEL: 'info' }),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toHaveLength(1);
    expect(result.stderr[0]).toMatch(
      /^startup failed: Telegram \(http:\/\/127\.0\.0\.1:\d+\) did not answer within 3 s: .*ECONNREFUSED/,
    );
    const retries = result.logs.filter((line) => line.msg === 'Telegram is not answering yet; retrying');
    expect(retries.length).toBeGreaterThanOrEqual(2);
    expect(retries[0]).toMatchObject({ level: 40, target: apiRoot, attempt: 1 });
    expect(result.seconds).toBeLessThan(TIMEOUT_SECONDS + SLACK_SECONDS);
  }, 90_000);

  it('a database that accepts TCP and never answers: exit 1 by the deadline, one line naming the database', async ({
    expect,
    onTestFinished,
  }) => {
    const { telegram, smartypay, database } = await fakes(onTestFinished);
    const hung = await silent(onTestFinished);
    const result = await runToExit(
      onTestFinished,
      appEnv(
        { telegram, smartypay },
        { url: `postgres://paybot:secret-password@127.0.0.1:${hung.port}/paybot`, dataDir: database.dataDir },
        { LOG_LEVEL: 'info' },
      ),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toHaveLength(1);
    expect(result.stderr[0]).toMatch(
      new RegExp(`^startup failed: the database \\(127\\.0\\.0\\.1:${hung.port}/paybot\\) did not answer within 3 s`),
    );
    expect(result.stderr[0]).not.toContain('secret-password');
    expect(hung.accepted()).toBeGreaterThanOrEqual(1);
    expect(result.logs.find((line) => line.msg === 'connecting to the database')?.database).toBe(
      `127.0.0.1:${hung.port}/paybot`,
    );
    expect(result.seconds).toBeGreaterThanOrEqual(TIMEOUT_SECONDS);
    expect(result.seconds).toBeLessThan(TIMEOUT_SECONDS + SLACK_SECONDS);
  }, 60_000);
});

/** True when something accepts connections on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('a start that fails after the listeners are up', () => {
  it('stops what it had started: no port left listening, the error passed on', async ({ expect, onTestFinished }) => {
    const { telegram, smartypay, database } = await fakes(onTestFinished);
    const [port, metricsPort] = [await closedPort(), await closedPort()];
    // deleteWebhook is the last step before polling starts: HTTP, metrics and the workers are up by then.
    telegram.failNext('deleteWebhook', { status: 400, description: 'Bad Request: simulated' });
    const config = loadConfig(
      appEnv({ telegram, smartypay }, database, {
        PORT: String(port),
        METRICS_PORT: String(metricsPort),
        STARTUP_TIMEOUT_SECONDS: '20',
      }),
    );
    const logs = captureLogs([config.botToken]);
    await expect(startApp(config, { logger: logs.logger })).rejects.toThrow(/deleteWebhook.*simulated/);
    expect(logs.find(RUNNING_LINE)).toHaveLength(0);
    expect(await listening(port)).toBe(false);
    expect(await listening(metricsPort)).toBe(false);
    if (database.url) {
      // The app's Postgres connections are closed too.
      const name = new URL(database.url).pathname.slice(1);
      const admin = postgres(TEST_DATABASE_URL ?? '', { max: 1, onnotice: () => {} });
      try {
        await waitUntil(
          async () =>
            (await admin`select count(*)::int as n from pg_stat_activity where datname = ${name}`)[0]?.n === 0,
          5_000,
          "the app's database connections closed",
        );
      } finally {
        await admin.end();
      }
    }
  }, 90_000);
});
