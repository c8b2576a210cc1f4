import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { devNull } from 'node:os';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import './app-build.js'; // declares what provide('appEntry') carries
import type { FakeSmartyPay } from './fake-smartypay.js';
import type { FakeTelegram } from './fake-telegram.js';
import { fakesEnv } from './fakes-env.js';
import { MERCHANT } from './flows.js';

// The app as `npm start` runs it: a separate process (`node main.js`, src/ compiled once per run by ./app-build.ts)
// that only sees its environment and speaks HTTP. Used where the process boundary itself is under test: exit codes,
// signals, crashes.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Always under the test's env: no file of variables (the checkout's `.env` is the developer's, never the tests'),
 * and /metrics on a free port, so processes running side by side do not fight over 9464.
 */
const PROCESS_DEFAULTS = { ENV_FILE: devNull, METRICS_PORT: '0' };

export interface Started {
  child: ChildProcess;
  /** Raw stdout chunks (the JSON log). */
  stdout: string[];
  stderr: string[];
  /** Resolves with the exit code (null when killed by a signal, see `signal`). */
  exited: Promise<number | null>;
  /** Resolves with the signal that ended the process, or null after a normal exit. */
  signal: Promise<NodeJS.Signals | null>;
}

export type LogMatch = string | RegExp | ((line: Record<string, any>) => boolean);

export interface AppProcess extends Started {
  /** Every complete JSON log line so far, parsed (non-JSON lines are skipped). */
  logs(): Array<Record<string, any>>;
  /**
   * Resolves with the first log line whose `msg` equals / matches `match` (or for which `match` returns true);
   * rejects on timeout or when the process exits first.
   */
  waitForLog(match: LogMatch, timeoutMs?: number): Promise<Record<string, any>>;
  /** Waits for "@bot is running — open …", then for /readyz to answer 200; resolves with the app's base URL. */
  ready(timeoutMs?: number): Promise<string>;
  /** Stops the process with `signal` and resolves with its exit code (SIGKILL after `timeoutMs` as a last resort). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
  /** The process has exited. */
  hasExited(): boolean;
}

export function startProcess(env: Record<string, string>, options: { cwd?: string } = {}): Started {
  // Absolute, so the app also starts from another working directory (the .env test).
  const child = spawn(process.execPath, [inject('appEntry')], {
    cwd: options.cwd ?? ROOT,
    env: { PATH: process.env.PATH ?? '', ...PROCESS_DEFAULTS, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  child.stdout?.on('data', (chunk) => stdout.push(chunk.toString()));
  child.stderr?.on('data', (chunk) => stderr.push(chunk.toString()));
  // 'close', not 'exit': it comes after the output pipes are drained, so the last log lines are read.
  const ended = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
  return { child, stdout, stderr, exited: ended.then(([code]) => code), signal: ended.then(([, sig]) => sig) };
}

// Starting takes seconds on PGlite (WASM Postgres, initdb, migrations) and far more when the two cores are
// busy with the rest of the suite: the bound is generous, it only catches a start that hangs.
export async function waitForUrl(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

/** The start-up line that says the bot is up: "@<bot> is running — open https://t.me/<bot> and send /start". */
export const RUNNING_LINE = /^@\w+ is running — open https:\/\/t\.me\/\w+ and send \/start$/;

/** The environment that points the app at the fakes and a database; `extra` wins. */
export function appEnv(
  fakes: { telegram: FakeTelegram; smartypay: FakeSmartyPay },
  database: { url: string | undefined; dataDir: string },
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    ...fakesEnv(fakes),
    // Both always set (blank = unset), so a stray .env in the working directory cannot pick the database.
    DATABASE_URL: database.url ?? '',
    DATA_DIR: database.dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    METRICS_PORT: '0',
    // Tests issue as flows.ts's MERCHANT, many times a minute; the permission and rate-limit tests set their own.
    MERCHANT_USER_IDS: String(MERCHANT.id),
    PAY_RATE_LIMIT_PER_MINUTE: '0',
    ...extra,
  };
}

/** Starts the app process with a JSON log that can be awaited. */
export function startAppProcess(env: Record<string, string>): AppProcess {
  const started = startProcess(env);
  let exited = false;
  void started.exited.then(() => {
    exited = true;
  });

  const logs = () => {
    const lines = started.stdout.join('').split('\n');
    lines.pop(); // the last piece is incomplete (or empty)
    const parsed: Array<Record<string, any>> = [];
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      try {
        parsed.push(JSON.parse(line));
      } catch {
        // not a log line
      }
    }
    return parsed;
  };
  const describeExit = () =>
    `last log lines: ${started.stdout.join('').slice(-3000)}\nstderr: ${started.stderr.join('').slice(-2000)}`;

  const waitForLog = async (match: LogMatch, timeoutMs = 20_000) => {
    const msg = typeof match === 'function' ? 'a matching line' : String(match);
    const matches = (line: Record<string, any>) =>
      typeof match === 'function'
        ? match(line)
        : typeof line.msg === 'string' && (typeof match === 'string' ? line.msg === match : match.test(line.msg));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = logs().find(matches);
      if (found) return found;
      if (exited) throw new Error(`the app exited before logging "${msg}"; ${describeExit()}`);
      if (Date.now() > deadline)
        throw new Error(`the app did not log "${msg}" within ${timeoutMs} ms; ${describeExit()}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  return {
    ...started,
    logs,
    waitForLog,
    hasExited: () => exited,
    async ready(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      const line = await waitForLog(RUNNING_LINE, timeoutMs);
      const url = String(line.url);
      await waitForUrl(`${url}/readyz`, Math.max(1000, deadline - Date.now()));
      return url;
    },
    async stop(signal = 'SIGTERM', timeoutMs = 20_000) {
      if (!exited) started.child.kill(signal);
      const timer = setTimeout(() => started.child.kill('SIGKILL'), timeoutMs);
      try {
        return await started.exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/**
 * `start` for a test's app processes: each one still running when the test ends is killed, even when the test failed
 * midway. `cleanup` registers a step for the end (onTestFinished, or an afterEach list).
 */
export function appStarter(cleanup: (step: () => Promise<void>) => void): (env: Record<string, string>) => AppProcess {
  return (env) => {
    const app = startAppProcess(env);
    cleanup(async () => {
      if (!app.hasExited()) await app.stop('SIGKILL');
    });
    return app;
  };
}

/** Resolves with the exit code; rejects when the process is still running after `ms`. */
export async function exitWithin(app: AppProcess, ms: number): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the app did not exit within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([app.exited, late]);
  } finally {
    clearTimeout(timer);
  }
}
