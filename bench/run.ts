import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { type DatabaseProvider, databaseProvider } from './lib/database.js';
import { killAllChildren, ROOT } from './lib/processes.js';
import { log, round } from './lib/util.js';
import { P1_CONNECTIONS, P1_SECONDS, type P1Result, runP1 } from './scenarios/p1-webhooks.js';
import { P2_SAMPLES, type P2Result, runP2 } from './scenarios/p2-latency.js';
import {
  P3_CHATS,
  P3_LATENCY_MS,
  P3_SEQUENTIAL_CHATS,
  P3_TELEGRAM_RATE,
  type P3Result,
  runP3,
} from './scenarios/p3-pay-burst.js';
import { P4_INVOICES, P4_RATE, type P4Result, runP4 } from './scenarios/p4-drain.js';
import { P5_STARTS, type P5Result, runP5Ready } from './scenarios/p5-ready.js';
import { P6_PATHS, type P6Path, type P6Result, runP6 } from './scenarios/p6-growth.js';
import { type BenchContext, met, type Row } from './scenarios/types.js';

// `npm run bench`: builds the app, runs it as production does (`node dist/main.js`, one process per
// scenario, each on a fresh database) against the fake Bot API and fake SMARTy Pay on loopback, and
// prints a table and, as the very last line of stdout, one JSON object with the headline numbers.
// Progress goes to stderr. Options: BENCH_ONLY=p1,p3 runs a subset; BENCH_SKIP_BUILD=1 uses dist/ as is.

const SCENARIOS = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'] as const;
type Scenario = (typeof SCENARIOS)[number];

const JSON_KEYS = [
  'p1_rps',
  'p1_baseline_rps',
  'p1_ratio',
  'p1_durable_rps',
  'p1_durable_ratio',
  'p1_p99_ms',
  'p2_p50_ms',
  'p2_p99_ms',
  'p3_ms',
  'p3_speedup',
  'p3_cards_ratio',
  'p3_429',
  'p3_card_p50_ms',
  'p4_drain_ratio',
  'p4_lost',
  'p4_duplicated',
  'p4_429',
  'p5_rss_mb',
  'p5_ready_ms',
  ...P6_PATHS.map((path) => `p6_${path}_ratio` as const),
] as const;
type Summary = Record<(typeof JSON_KEYS)[number], number | null>;

let provider: DatabaseProvider | undefined;

async function cleanUp(): Promise<void> {
  killAllChildren();
  if (provider) {
    await Promise.race([provider.dropAll(), new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
  }
}

process.on('exit', killAllChildren);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping children and dropping bench databases`);
    void cleanUp().finally(() => process.exit(130));
  });
}

async function build(): Promise<void> {
  if (process.env.BENCH_SKIP_BUILD === '1') {
    log('BENCH_SKIP_BUILD=1: using dist/ as it is');
    return;
  }
  log('building (tsc -p tsconfig.build.json)');
  const started = performance.now();
  const child = spawn(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`the build failed (tsc exited ${code})`);
  log(`built in ${round(performance.now() - started)} ms`);
}

function selected(): Set<Scenario> {
  const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim().toLowerCase());
  if (!only || only.length === 0 || only[0] === '') return new Set(SCENARIOS);
  return new Set(SCENARIOS.filter((s) => only.includes(s)));
}

/** What each p6 ratio times, for the table. */
const P6_LABELS: Record<P6Path, string> = {
  webhook: 'webhook → 200',
  pay: '/pay → card',
  invoices: '/invoices, first page',
  invoices_older: '/invoices, Older tapped',
  status: '/status <id>',
  stats: '/stats, busy chat',
  export: '/export, 10,000 rows',
  reconciler: 'reconciler tick (20 checks)',
  claim: 'outbox claim (2 + 2 rows)',
  ready: 'start → /readyz 200',
};

function p6Rows(p6: P6Result): Row[] {
  return P6_PATHS.map((path) => {
    const { smallP50, largeP50, ratio } = p6.paths[path];
    return {
      scenario: 'p6 growth',
      metric: `${P6_LABELS[path]}: large ÷ small p50`,
      value: round(ratio, 2),
      unit: '',
      goal: { op: '<=', target: 1.3 },
      note: `${round(smallP50, 1)} → ${round(largeP50, 1)} ms`,
    };
  });
}

function rows(results: {
  p1?: P1Result;
  p2?: P2Result;
  p3?: P3Result;
  p4?: P4Result;
  p5?: P5Result;
  p6?: P6Result;
  driver: string;
}): Row[] {
  const out: Row[] = [];
  const { p1, p2, p3, p4, p5, p6 } = results;
  if (p1) {
    out.push(
      { scenario: 'p1 webhooks', metric: 'app throughput', value: round(p1.app.rps), unit: 'req/s' },
      {
        scenario: 'p1 webhooks',
        metric: 'baseline throughput (bare Express 5)',
        value: round(p1.baseline.rps),
        unit: 'req/s',
      },
      {
        scenario: 'p1 webhooks',
        metric: 'ratio app / baseline (reference)',
        value: round(p1.app.rps / p1.baseline.rps, 3),
        unit: '',
      },
      {
        scenario: 'p1 webhooks',
        metric: 'durable baseline throughput (HMAC + 1 insert)',
        value: round(p1.durable.rps),
        unit: 'req/s',
        note: `p99 ${p1.durable.p99Ms} ms, ${p1.durable.non2xx + p1.durable.errors} non-2xx + errors`,
      },
      {
        scenario: 'p1 webhooks',
        metric: 'ratio app / durable baseline',
        value: round(p1.app.rps / p1.durable.rps, 3),
        unit: '',
        goal: { op: '>=', target: 0.8 },
      },
      { scenario: 'p1 webhooks', metric: 'app p50 latency', value: p1.app.p50Ms, unit: 'ms' },
      {
        scenario: 'p1 webhooks',
        metric: 'app p99 latency',
        value: p1.app.p99Ms,
        unit: 'ms',
        goal: { op: '<=', target: 50 },
      },
      { scenario: 'p1 webhooks', metric: 'baseline p99 latency', value: p1.baseline.p99Ms, unit: 'ms' },
      {
        scenario: 'p1 webhooks',
        metric: 'app non-2xx + errors',
        value: p1.app.non2xx + p1.app.errors,
        unit: '',
        goal: { op: '=', target: 0 },
        note: `${p1.app.requests} requests, ${p1.reused} reused bodies`,
      },
    );
  }
  if (p2) {
    out.push(
      {
        scenario: 'p2 confirmation',
        metric: 'p50 (200 → sendMessage)',
        value: p2.p50Ms,
        unit: 'ms',
        goal: { op: '<=', target: 25 },
      },
      {
        scenario: 'p2 confirmation',
        metric: 'p99 (200 → sendMessage)',
        value: p2.p99Ms,
        unit: 'ms',
        goal: { op: '<=', target: 100 },
      },
      {
        scenario: 'p2 confirmation',
        metric: 'missing confirmations',
        value: p2.failures,
        unit: '',
        goal: { op: '=', target: 0 },
        note: `${p2.fromAccepted.length} samples`,
      },
    );
  }
  if (p3) {
    out.push(
      {
        scenario: 'p3 /pay burst',
        metric: `${P3_CHATS} invoices created, SMARTy Pay ${P3_LATENCY_MS} ms`,
        value: p3.invoicesMs,
        unit: 'ms',
        goal: { op: '<=', target: 1500 },
      },
      {
        scenario: 'p3 /pay burst',
        metric: `sequential (one at a time, ${P3_SEQUENTIAL_CHATS} samples) ×${P3_CHATS}`,
        value: round(p3.sequentialMsFor200),
        unit: 'ms',
        note: `mean ${round(p3.sequentialMsFor200 / P3_CHATS)} ms per invoice`,
      },
      {
        scenario: 'p3 /pay burst',
        metric: 'speedup (invoices)',
        value: round(p3.speedup, 1),
        unit: '×',
        goal: { op: '>=', target: 30 },
      },
      {
        scenario: 'p3 /pay burst',
        metric: `${P3_CHATS} cards accepted`,
        value: p3.cardsMs,
        unit: 'ms',
        note: `${p3.cards} cards, ${p3.otherReplies} other replies`,
      },
      {
        scenario: 'p3 /pay burst',
        metric: `cards ÷ (${P3_CHATS} / ${P3_TELEGRAM_RATE} s)`,
        value: round(p3.cardsRatio, 3),
        unit: '',
        goal: { op: '<=', target: 1.2 },
      },
      {
        scenario: 'p3 /pay burst',
        metric: '429s from the fake',
        value: p3.rateLimited,
        unit: '',
        goal: { op: '=', target: 0 },
        note: `limits ${P3_TELEGRAM_RATE}/s + 1/s per chat on sendMessage`,
      },
      {
        scenario: 'p3 /pay burst',
        metric: '/pay → card p50, one at a time',
        value: round(p3.cardP50Ms, 1),
        unit: 'ms',
        note: `SMARTy Pay ${P3_LATENCY_MS} ms included`,
      },
    );
  }
  if (p4) {
    out.push(
      { scenario: 'p4 drain', metric: `drain time (${P4_INVOICES} confirmations)`, value: p4.drainMs, unit: 'ms' },
      { scenario: 'p4 drain', metric: 'first confirmation after', value: p4.firstMs, unit: 'ms' },
      {
        scenario: 'p4 drain',
        metric: 'steady rate (100th → 900th)',
        value: round(p4.steadyPerSecond, 1),
        unit: '/s',
        note: `ideal ${P4_RATE}`,
      },
      {
        scenario: 'p4 drain',
        metric: `drain ÷ (${P4_INVOICES} / ${P4_RATE} s)`,
        value: round(p4.drainRatio, 3),
        unit: '',
        goal: { op: '<=', target: 1.15 },
      },
      {
        scenario: 'p4 drain',
        metric: 'lost',
        value: p4.lost,
        unit: '',
        goal: { op: '=', target: 0 },
        note: `${p4.webhookFailures} webhooks not answered 200`,
      },
      { scenario: 'p4 drain', metric: 'duplicated', value: p4.duplicated, unit: '', goal: { op: '=', target: 0 } },
      {
        scenario: 'p4 drain',
        metric: '429s from the fake',
        value: p4.rateLimited,
        unit: '',
        goal: { op: '=', target: 0 },
        note: p4.limitsOnSendMessageOnly ? 'limits on sendMessage' : 'limits on every send (fake lacks methods)',
      },
      {
        scenario: 'p4 drain',
        metric: 'peak sendMessage calls in any 1 s',
        value: p4.peakAttemptsPerSecond,
        unit: '',
        note: `fake accepts ${P4_RATE}`,
      },
      { scenario: 'p4 drain', metric: 'card edits done', value: p4.edits, unit: '' },
    );
  }
  if (p1) {
    out.push({
      scenario: 'p5 footprint',
      metric: 'RSS after p1',
      value: round(p1.rssMb, 1),
      unit: 'MB',
      goal: { op: '<=', target: 150 },
    });
    out.push({
      scenario: 'p5 footprint',
      metric: 'RSS when ready, before p1',
      value: round(p1.rssIdleMb, 1),
      unit: 'MB',
    });
  }
  if (p5) {
    out.push({
      scenario: 'p5 footprint',
      metric: `ready (spawn → /readyz 200, fresh db, mean of ${P5_STARTS})`,
      value: round(p5.meanMs),
      unit: 'ms',
      goal: { op: '<=', target: 2000 },
      note: `${results.driver}; ${p5.readyMs.map((ms) => round(ms)).join(' / ')} ms`,
    });
  }
  if (p1) {
    out.push({
      scenario: 'p5 footprint',
      metric: `ready with ${p1.seeded} invoices, migrated`,
      value: round(p1.readyMs),
      unit: 'ms',
    });
  }
  if (p6) out.push(...p6Rows(p6));
  return out;
}

function table(all: Row[]): string {
  const header = ['scenario', 'metric', 'value', 'goal', 'met', 'note'];
  const lines = all.map((row) => {
    const ok = met(row);
    return [
      row.scenario,
      row.metric,
      `${Number.isFinite(row.value) ? row.value : 'n/a'}${row.unit && row.unit !== '×' ? ` ${row.unit}` : row.unit}`,
      row.goal ? `${row.goal.op === '=' ? '=' : row.goal.op === '<=' ? '≤' : '≥'} ${row.goal.target}` : '',
      ok === undefined ? '' : ok ? 'yes' : 'NO',
      row.note ?? '',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const format = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [format(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(format)].join('\n');
}

async function main(): Promise<number> {
  const started = performance.now();
  const databaseUrl = process.env.DATABASE_URL || undefined;
  provider = await databaseProvider(databaseUrl);
  if (provider.driver === 'pglite') {
    log('DATABASE_URL is not set: FALLING BACK TO EMBEDDED PGlite (numbers are not comparable with Postgres ones)');
  }
  const machine = `${availableParallelism()} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), ${round(totalmem() / 2 ** 30, 1)} GiB RAM, Node ${process.version}, ${provider.describe}`;
  log(`machine: ${machine}`);
  if (process.env.BENCH_APP_ENV) log(`BENCH_APP_ENV: the app runs with ${process.env.BENCH_APP_ENV}`);
  await build();

  const ctx: BenchContext = { provider };
  const want = selected();
  const results: { p1?: P1Result; p2?: P2Result; p3?: P3Result; p4?: P4Result; p5?: P5Result; p6?: P6Result } = {};
  const failures: string[] = [];
  const attempt = async <T>(name: Scenario, run: () => Promise<T>): Promise<T | undefined> => {
    if (!want.has(name)) return undefined;
    const t = performance.now();
    try {
      const value = await run();
      log(`${name} done in ${round((performance.now() - t) / 1000, 1)} s`);
      return value;
    } catch (error) {
      failures.push(`${name}: ${(error as Error)?.stack ?? String(error)}`);
      log(`${name} FAILED: ${(error as Error)?.message ?? String(error)}`);
      return undefined;
    }
  };
  try {
    results.p5 = await attempt('p5', () => runP5Ready(ctx));
    results.p1 = await attempt('p1', () => runP1(ctx));
    results.p2 = await attempt('p2', () => runP2(ctx));
    results.p3 = await attempt('p3', () => runP3(ctx));
    results.p4 = await attempt('p4', () => runP4(ctx));
    results.p6 = await attempt('p6', () => runP6(ctx));
  } finally {
    await cleanUp();
  }

  const { p1, p2, p3, p4, p5, p6 } = results;
  const n = (value: number | undefined, digits = 0) =>
    value === undefined || !Number.isFinite(value) ? null : round(value, digits);
  const summary: Summary = {
    p1_rps: n(p1?.app.rps),
    p1_baseline_rps: n(p1?.baseline.rps),
    p1_ratio: n(p1 ? p1.app.rps / p1.baseline.rps : undefined, 3),
    p1_durable_rps: n(p1?.durable.rps),
    p1_durable_ratio: n(p1 ? p1.app.rps / p1.durable.rps : undefined, 3),
    p1_p99_ms: n(p1?.app.p99Ms, 1),
    p2_p50_ms: n(p2?.p50Ms, 1),
    p2_p99_ms: n(p2?.p99Ms, 1),
    p3_ms: n(p3?.invoicesMs),
    p3_speedup: n(p3?.speedup, 1),
    p3_cards_ratio: n(p3?.cardsRatio, 3),
    p3_429: n(p3?.rateLimited),
    p3_card_p50_ms: n(p3?.cardP50Ms, 1),
    p4_drain_ratio: n(p4?.drainRatio, 3),
    p4_lost: n(p4?.lost),
    p4_duplicated: n(p4?.duplicated),
    p4_429: n(p4?.rateLimited),
    p5_rss_mb: n(p1?.rssMb, 1),
    p5_ready_ms: n(p5?.meanMs),
    ...(Object.fromEntries(P6_PATHS.map((path) => [`p6_${path}_ratio`, n(p6?.paths[path].ratio, 2)])) as Record<
      `p6_${P6Path}_ratio`,
      number | null
    >),
  };

  const out = process.stdout;
  out.write(`\nnpm run bench — ${machine}\n`);
  out.write(
    `p1: ${P1_CONNECTIONS} connections, ${P1_SECONDS} s after a 2 s warm-up (autocannon); p2: ${P2_SAMPLES} samples; ` +
      `p3: ${P3_CHATS} chats; p4: ${P4_INVOICES} webhooks, fake limits ${P4_RATE}/s + 1/s per chat; ` +
      (p6 ? `p6: ${p6.samples} samples per path, ${p6.largeInvoices} invoices (scale ${p6.scale}); ` : '') +
      `total ${round((performance.now() - started) / 1000)} s` +
      (process.env.BENCH_APP_ENV ? `; app env overrides: ${process.env.BENCH_APP_ENV}` : '') +
      '\n\n',
  );
  out.write(`${table(rows({ ...results, driver: provider.driver }))}\n`);
  for (const failure of failures) out.write(`\nFAILED ${failure}\n`);
  out.write(`${JSON.stringify(summary)}\n`);
  return failures.length === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  async (error) => {
    log(`bench failed: ${(error as Error)?.stack ?? String(error)}`);
    await cleanUp();
    // Still one JSON object as the last line, so whoever parses it sees that nothing was measured.
    const nothing = Object.fromEntries(JSON_KEYS.map((key) => [key, null])) as Summary;
    process.stdout.write(`\nbench failed: ${(error as Error)?.message ?? String(error)}\n${JSON.stringify(nothing)}\n`);
    process.exitCode = 1;
  },
);
