import autocannon from 'autocannon';
import { startFakeSmartyPay } from '../../test/support/fake-smartypay.js';
import { startFakeTelegram } from '../../test/support/fake-telegram.js';
import { seedBulkInvoices, smartyPayIdFor } from '../lib/database.js';
import { type Child, rssMb, startApp, startChild, stopApp } from '../lib/processes.js';
import { freePort, log, pollUntil, round } from '../lib/util.js';
import { paidWebhook, type SignedWebhook, WEBHOOK_PATH } from '../lib/webhooks.js';
import type { BenchContext } from './types.js';

// p1: signed Paid webhooks for distinct, already-issued invoices, 50 connections, 10 s measured
// (after a 2 s warm-up), against the app and against two baselines, each its own process on this machine, in the
// same run, with the same load generator and bodies: a bare Express 5 JSON endpoint (for reference), and the durable
// baseline (bench/durable-baseline-server.ts): raw body, HMAC check, one insert … on conflict do nothing committed
// on the same database, the least any correct receiver does.

export const P1_CONNECTIONS = 50;
export const P1_SECONDS = 10;
const WARMUP_SECONDS = 2;
const FIRST_CHAT_ID = 10_000_000;

export interface LoadResult {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

export interface P1Result {
  app: LoadResult;
  /** Bare Express 5 + express.json(): no signature, no database. */
  baseline: LoadResult;
  /** Raw body, HMAC, one committed insert on the same database. */
  durable: LoadResult;
  /** Webhooks whose body had to be reused because the seeded invoices ran out (0 = all distinct). */
  reused: number;
  seeded: number;
  seedMs: number;
  /** The app's RSS after the measured run, MB. */
  rssMb: number;
  /** The app's RSS when it had just become ready, before any load, MB. */
  rssIdleMb: number;
  /** spawn → /readyz 200 of this process (database already migrated, `seeded` invoices in it). */
  readyMs: number;
}

async function load(url: string, seconds: number, next: () => SignedWebhook): Promise<LoadResult> {
  const result = await autocannon({
    url: `${url}${WEBHOOK_PATH}`,
    connections: P1_CONNECTIONS,
    duration: seconds,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (request) => {
          const webhook = next();
          return { ...request, body: webhook.body, headers: { ...request.headers, 'x-sp-digest': webhook.signature } };
        },
      },
    ],
  });
  return {
    rps: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

async function startBaseline(script: string, env: Record<string, string> = {}): Promise<{ child: Child; url: string }> {
  const port = await freePort();
  const child = startChild(process.execPath, ['--import', 'tsx', script, String(port)], {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    PORT: String(port),
    ...env,
  });
  const url = `http://127.0.0.1:${port}`;
  const up = await pollUntil(
    async () => {
      try {
        await (await fetch(`${url}/`)).arrayBuffer();
        return true;
      } catch {
        return child.hasExited();
      }
    },
    15_000,
    20,
  );
  if (!up || child.hasExited()) {
    await child.stop(1000);
    throw new Error(`${script} did not start:\n${child.output()}`);
  }
  return { child, url };
}

export async function runP1(ctx: BenchContext): Promise<P1Result> {
  const postgres = ctx.provider.driver === 'postgres';
  // Enough distinct invoices for the warm-up and 10 s at well above the expected rate.
  const seeded = postgres ? 150_000 : 40_000;
  const database = await ctx.provider.create('p1');
  const telegram = await startFakeTelegram();
  const smartypay = await startFakeSmartyPay();
  let app: Awaited<ReturnType<typeof startApp>> | undefined;
  let baseline: { child: Child; url: string } | undefined;
  try {
    let started = performance.now();
    await seedBulkInvoices(database, { prefix: 'p1', count: seeded, firstChatId: FIRST_CHAT_ID });
    const seedMs = performance.now() - started;
    started = performance.now();
    const webhooks: SignedWebhook[] = [];
    for (let n = 1; n <= seeded; n++) {
      webhooks.push(
        paidWebhook(smartypay, { smartyPayId: smartyPayIdFor('p1', n), chatId: FIRST_CHAT_ID + n, payMessageId: 1 }),
      );
    }
    log(
      `p1: seeded ${seeded} invoices in ${round(seedMs)} ms, signed their webhooks in ${round(performance.now() - started)} ms`,
    );

    // The baseline gets the same bodies (it parses them as JSON); it keeps no state, so reuse is free.
    let baselineNext = 0;
    const baselineBody = () => webhooks[baselineNext++ % webhooks.length] as SignedWebhook;
    let appNext = 0;
    const appBody = () => webhooks[appNext++ % webhooks.length] as SignedWebhook;

    baseline = await startBaseline('bench/baseline-server.ts');
    log(`p1: baseline (bare Express 5 + express.json) warm-up ${WARMUP_SECONDS} s, then ${P1_SECONDS} s measured`);
    await load(baseline.url, WARMUP_SECONDS, baselineBody);
    const baselineResult = await load(baseline.url, P1_SECONDS, baselineBody);
    await baseline.child.stop(5000);
    baseline = undefined;
    log(`p1: baseline ${round(baselineResult.rps)} req/s, p99 ${baselineResult.p99Ms} ms`);

    // Its own table in the same database; every body has its own eventId, so each request inserts a row.
    baseline = await startBaseline('bench/durable-baseline-server.ts', {
      SECRET: smartypay.secretKey,
      ...(database.url ? { DATABASE_URL: database.url } : { DATA_DIR: database.dataDir }),
    });
    log(`p1: durable baseline (raw body, HMAC, one insert) warm-up ${WARMUP_SECONDS} s, then ${P1_SECONDS} s measured`);
    let durableNext = 0;
    const durableBody = () => webhooks[durableNext++ % webhooks.length] as SignedWebhook;
    await load(baseline.url, WARMUP_SECONDS, durableBody);
    const durableResult = await load(baseline.url, P1_SECONDS, durableBody);
    await baseline.child.stop(5000);
    baseline = undefined;
    log(
      `p1: durable baseline ${round(durableResult.rps)} req/s, p99 ${durableResult.p99Ms} ms, non-2xx ${durableResult.non2xx}`,
    );

    app = await startApp({ telegram, smartypay, database });
    const rssIdle = rssMb(app.pid);
    log(`p1: app ready in ${round(app.readyMs)} ms; warm-up ${WARMUP_SECONDS} s, then ${P1_SECONDS} s measured`);
    await load(app.url, WARMUP_SECONDS, appBody);
    const appResult = await load(app.url, P1_SECONDS, appBody);
    const rss = rssMb(app.pid);
    log(
      `p1: app ${round(appResult.rps)} req/s, p99 ${appResult.p99Ms} ms, non-2xx ${appResult.non2xx}, errors ${appResult.errors}, RSS ${round(rss)} MB`,
    );
    return {
      app: appResult,
      baseline: baselineResult,
      durable: durableResult,
      reused: Math.max(0, appNext - webhooks.length),
      seeded,
      seedMs,
      rssMb: rss,
      rssIdleMb: rssIdle,
      readyMs: app.readyMs,
    };
  } finally {
    if (baseline) await baseline.child.stop(2000);
    if (app) await stopApp(app, 'p1');
    await telegram.close();
    await smartypay.close();
    await database.drop();
  }
}
