import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { devNull, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FakeSmartyPay } from '../../test/support/fake-smartypay.js';
import type { FakeTelegram } from '../../test/support/fake-telegram.js';
import { fakesEnv } from '../../test/support/fakes-env.js';
import { freePort, log, sleep } from './util.js';

// Child processes of the bench: the app as production runs it (`node dist/main.js`) and the bare
// Express baseline. Every child is tracked so an error or Ctrl-C never leaves one behind.

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const children = new Set<ChildProcess>();

/** SIGKILLs every child still alive (synchronous: safe in an 'exit' handler). */
export function killAllChildren(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
}

export interface Child {
  process: ChildProcess;
  pid: number;
  /** The last ~64 kB of stdout+stderr, for diagnostics when something fails. */
  output(): string;
  /** How many lines it wrote to stdout and stderr (at LOG_LEVEL=warn: warnings and errors). */
  lineCount(): number;
  exited: Promise<void>;
  hasExited(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export function startChild(command: string, args: string[], env: Record<string, string>): Child {
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  let lines = 0;
  const keep = (chunk: Buffer) => {
    const text = chunk.toString();
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++;
    output = (output + text).slice(-65_536);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  const exitedPromise = once(child, 'exit').then(() => {
    exited = true;
    children.delete(child);
  });
  return {
    process: child,
    pid: child.pid ?? -1,
    output: () => output,
    lineCount: () => lines,
    exited: exitedPromise,
    hasExited: () => exited,
    async stop(graceMs = 10_000) {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exitedPromise;
      clearTimeout(timer);
    },
  };
}

/** Resident set size of a process in MB, from /proc (Linux); NaN where that is not available. */
export function rssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb ? Number(kb) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

export interface AppDatabase {
  /** postgres:// URL, or undefined for PGlite in dataDir. */
  url: string | undefined;
  dataDir: string;
}

/** BENCH_APP_ENV="BOT_CONCURRENCY=500 DATABASE_POOL_MAX=20": extra app settings for experiments (they win). */
function extraAppEnv(): Record<string, string> {
  const pairs = (process.env.BENCH_APP_ENV ?? '').split(/[\s,]+/).filter(Boolean);
  return Object.fromEntries(pairs.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
}

export interface AppProcess extends Child {
  url: string;
  /** spawn() → first /readyz 200, in ms. */
  readyMs: number;
}

/**
 * Spawns the built app against the fakes and waits for /readyz to answer 200 (polled every 5 ms).
 * Rejects (after killing it) if the app exits or is not ready within `timeoutMs`.
 */
export async function startApp(options: {
  telegram: FakeTelegram;
  smartypay: FakeSmartyPay;
  database: AppDatabase;
  env?: Record<string, string>;
  timeoutMs?: number;
}): Promise<AppProcess> {
  const port = await freePort();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    ...fakesEnv(options),
    // Both always set (blank = unset), so a stray .env cannot choose the database.
    DATABASE_URL: options.database.url ?? '',
    DATA_DIR: options.database.dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    // /metrics on a free port (replicas side by side), and never the checkout's .env.
    METRICS_PORT: '0',
    ENV_FILE: devNull,
    LOG_LEVEL: 'warn',
    SHUTDOWN_TIMEOUT_MS: '3000',
    // Some merchant, so the app is not in setup mode; scenarios that issue invoices name their own.
    MERCHANT_USER_IDS: '1',
    ...options.env,
    ...extraAppEnv(),
  };
  const started = performance.now();
  // e.g. BENCH_APP_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the app under load.
  const nodeArgs = (process.env.BENCH_APP_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const child = startChild(process.execPath, [...productionNodeArgs(), ...nodeArgs, 'dist/main.js'], env);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  for (;;) {
    if (child.hasExited()) {
      throw new Error(`the app exited before it was ready:\n${child.output().slice(-4000)}`);
    }
    try {
      const response = await fetch(`${url}/readyz`);
      await response.arrayBuffer();
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await child.stop(1000);
      throw new Error(
        `the app was not ready within ${options.timeoutMs ?? 20_000} ms:\n${child.output().slice(-4000)}`,
      );
    }
    await sleep(5);
  }
  const readyMs = performance.now() - started;
  return { ...child, url, readyMs };
}

/** Stops the app; logs (does not throw) when it needed SIGKILL or printed errors worth a look. */
export async function stopApp(app: Child, name: string): Promise<void> {
  await app.stop(10_000);
  if (app.process.signalCode === 'SIGKILL') log(`${name}: the app did not stop on SIGTERM within 10 s and was killed`);
  // One line ("SIGTERM received") is expected; more are warnings or errors worth keeping.
  const lines = app.lineCount();
  if (lines > 1) {
    const file = join(tmpdir(), `bench-${name}-app.log`);
    writeFileSync(file, app.output());
    log(`${name}: the app wrote ${lines} lines to stdout/stderr at LOG_LEVEL=warn; the last 64 kB are in ${file}`);
  }
}

/** The node flags `npm start` uses (package.json), so the bench measures the app as production runs it. */
function productionNodeArgs(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts?: { start?: string } };
  const match = /^node\s+(.*?)\s*dist\/main\.js/.exec(pkg.scripts?.start ?? '');
  return (match?.[1] ?? '').split(/\s+/).filter(Boolean);
}
