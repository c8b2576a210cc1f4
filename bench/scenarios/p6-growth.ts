import { sql } from 'drizzle-orm';
import { type FakeSmartyPay, startFakeSmartyPay } from '../../test/support/fake-smartypay.js';
import { type FakeTelegram, startFakeTelegram } from '../../test/support/fake-telegram.js';
import { type GrowthShape, growthSeedStatements } from '../../test/support/growth-seed.js';
import { type BenchDatabase, withDatabase } from '../lib/database.js';
import {
  type GrowthTarget,
  sampleExport,
  sampleInvoicePages,
  samplePay,
  sampleStats,
  sampleStatus,
  sampleWebhook,
} from '../lib/growth-paths.js';
import { openInProcess } from '../lib/in-process.js';
import { type AppProcess, startApp, stopApp } from '../lib/processes.js';
import { log, percentile, round, sleep } from '../lib/util.js';
import { paidWebhook } from '../lib/webhooks.js';
import type { BenchContext } from './types.js';

// p6: the same hot paths on a fresh small database and on one grown for years, in one run; each path's ratio is
// p50 (large) ÷ p50 (small). Both databases are seeded set-based (test/support/growth-seed.ts) before any app
// starts. The small one: 1,000 invoices in 20 chats (50 in the busy chat), 2,000 webhook events, 2,000 sent outbox
// rows, 150 open invoices due for a re-check, and, because an export of 10,000 rows needs them, one more chat of
// 10,000 invoices that only /export reads. The large one: 1,000,000 invoices in 20,000 chats (50,000 in the busy
// chat, which /export reads too), 2,000,000 webhook events, 2,000,000 sent outbox rows, 100,000 open invoices due.
// The two are measured side by side, sample by sample, small and large taking turns in going first, so a change in
// the machine's load falls on both alike. BENCH_P6_SCALE=0.1 shrinks the large one (while developing);
// BENCH_P6_SAMPLES sets the samples per path (default 50).

export const P6_PATHS = [
  'webhook',
  'pay',
  'invoices',
  'invoices_older',
  'status',
  'stats',
  'export',
  'reconciler',
  'claim',
  'ready',
] as const;
export type P6Path = (typeof P6_PATHS)[number];

export interface P6PathResult {
  small: number[];
  large: number[];
  smallP50: number;
  largeP50: number;
  ratio: number;
}

export interface P6Result {
  paths: Record<P6Path, P6PathResult>;
  samples: number;
  scale: number;
  largeInvoices: number;
  seedMs: number;
  exportRows: { small: number; large: number };
}

const BUSY_CHAT_ID = 7_000_001;
const SMALL_EXPORT_CHAT_ID = 7_000_002;
const PAY_USERS_FROM = 7_100_001;

function largeShape(scale: number): GrowthShape {
  return {
    invoices: Math.round(1_000_000 * scale),
    chats: Math.max(20, Math.round(20_000 * scale)),
    busyChatId: BUSY_CHAT_ID,
    busyInvoices: Math.max(10_000, Math.round(50_000 * scale)),
    firstChatId: 5_000_000,
    webhookEvents: Math.round(2_000_000 * scale),
    sentOutbox: Math.round(2_000_000 * scale),
    open: Math.max(200, Math.round(100_000 * scale)),
    days: 365,
    prefix: 'p6',
  };
}

function smallShape(samples: number): GrowthShape {
  return {
    invoices: 1_000,
    chats: 20,
    busyChatId: BUSY_CHAT_ID,
    busyInvoices: 50,
    firstChatId: 5_000_000,
    webhookEvents: 2_000,
    sentOutbox: 2_000,
    // The webhook samples pay some; every re-check tick still needs 20 due.
    open: Math.max(150, samples + 60),
    days: 365,
    prefix: 'p6',
  };
}

/** The small database's export chat: 10,000 invoices of one merchant and nothing else. */
const SMALL_EXPORT_SHAPE: GrowthShape = {
  invoices: 10_000,
  chats: 1,
  busyChatId: SMALL_EXPORT_CHAT_ID,
  busyInvoices: 10_000,
  firstChatId: SMALL_EXPORT_CHAT_ID,
  webhookEvents: 0,
  sentOutbox: 0,
  open: 0,
  days: 365,
  prefix: 'p6x',
};

interface Side {
  name: 'small' | 'large';
  database: BenchDatabase;
  telegram: FakeTelegram;
  smartypay: FakeSmartyPay;
  target?: Omit<GrowthTarget, 'app' | 'telegram' | 'name'>;
}

const rowsOf = (result: unknown) =>
  (Array.isArray(result) ? result : (result as { rows: Record<string, unknown>[] }).rows) as Record<string, unknown>[];

async function seed(side: Side, shapes: GrowthShape[], samples: number, exportChatId: number): Promise<void> {
  const payUserIds = Array.from({ length: samples }, (_, i) => PAY_USERS_FROM + i);
  await withDatabase(side.database, async (db) => {
    for (const shape of shapes) {
      for (const statement of growthSeedStatements(shape)) await db.execute(sql.raw(statement));
    }
    // SMARTy Pay knows every open invoice (re-checks find them Created).
    const open = rowsOf(
      await db.execute(sql`select id, smartypay_id, notify_chat_id, pay_message_id, amount, token, created_at,
        expires_at from invoices where status = 'Created' order by id`),
    );
    for (const row of open) {
      side.smartypay.addInvoice({
        id: String(row.smartypay_id),
        amount: String(row.amount),
        token: String(row.token),
        status: 'Created',
        createdAt: new Date(String(row.created_at)),
        expiresAt: new Date(String(row.expires_at)),
        paidAt: null,
        paidAmount: null,
        metadata: undefined,
      });
    }
    const statusIds = rowsOf(
      await db.execute(sql`select id from invoices where notify_chat_id = ${BUSY_CHAT_ID} order by id limit 20`),
    ).map((row) => Number(row.id));
    // The newest open invoices get the webhooks; the reconciler's ticks take the longest-due ones.
    const webhooks = open.slice(0, samples).map((row) =>
      paidWebhook(side.smartypay, {
        smartyPayId: String(row.smartypay_id),
        chatId: Number(row.notify_chat_id),
        payMessageId: Number(row.pay_message_id),
      }),
    );
    side.target = { busyChatId: BUSY_CHAT_ID, exportChatId, statusIds, webhooks, payUserIds };
  });
}

function appEnv(samples: number): Record<string, string> {
  const merchants = [
    BUSY_CHAT_ID,
    SMALL_EXPORT_CHAT_ID,
    ...Array.from({ length: samples }, (_, i) => PAY_USERS_FROM + i),
  ];
  return {
    MERCHANT_USER_IDS: merchants.join(','),
    // The reconciler is timed in this process (lib/in-process.ts); the app's own would race it for due invoices.
    RECHECK_INTERVAL_MS: '600000',
  };
}

function summarise(small: number[], large: number[]): P6PathResult {
  const smallP50 = percentile(small, 50);
  const largeP50 = percentile(large, 50);
  return { small, large, smallP50, largeP50, ratio: largeP50 / smallP50 };
}

/** Runs `work` for both sides, the small one first on even samples and the large one first on odd ones. */
async function inTurn<T>(i: number, sides: readonly [T, T], work: (side: T) => Promise<void>): Promise<void> {
  const [first, second] = i % 2 === 0 ? sides : ([sides[1], sides[0]] as const);
  await work(first);
  await work(second);
}

export async function runP6(ctx: BenchContext): Promise<P6Result> {
  const postgres = ctx.provider.driver === 'postgres';
  const samples = Math.max(1, Number(process.env.BENCH_P6_SAMPLES || 50));
  // PGlite (WASM) seeds and starts several times slower: a smaller large database, and its numbers are not
  // comparable anyway.
  const scale = Number(process.env.BENCH_P6_SCALE || (postgres ? 1 : 0.02));
  const sides: [Side, Side] = [
    {
      name: 'small',
      database: await ctx.provider.create('p6_small'),
      telegram: await startFakeTelegram(),
      smartypay: await startFakeSmartyPay(),
    },
    {
      name: 'large',
      database: await ctx.provider.create('p6_large'),
      telegram: await startFakeTelegram(),
      smartypay: await startFakeSmartyPay(),
    },
  ];
  const [small, large] = sides;
  const apps = new Map<Side, AppProcess>();
  const results = Object.fromEntries(P6_PATHS.map((path) => [path, { small: [], large: [] }])) as unknown as Record<
    P6Path,
    { small: number[]; large: number[] }
  >;
  const record = (path: P6Path, side: Side, ms: number): void => {
    results[path][side.name].push(ms);
  };
  const exportRows = { small: 0, large: 0 };
  try {
    const started = performance.now();
    const shape = largeShape(scale);
    await seed(small, [smallShape(samples), SMALL_EXPORT_SHAPE], samples, SMALL_EXPORT_CHAT_ID);
    log(`p6: small database seeded in ${round(performance.now() - started)} ms`);
    await seed(large, [shape], samples, BUSY_CHAT_ID);
    const seedMs = performance.now() - started;
    log(`p6: large database (${shape.invoices} invoices, scale ${scale}) seeded in ${round(seedMs / 1000, 1)} s`);

    // Start-up: spawn → /readyz 200 on each database, migrated, in turns.
    for (let i = 0; i < samples; i++) {
      await inTurn(i, sides, async (side) => {
        const app = await startApp({ telegram: side.telegram, smartypay: side.smartypay, database: side.database });
        record('ready', side, app.readyMs);
        await stopApp(app, `p6-ready-${side.name}`);
      });
    }
    log(`p6: ${samples} starts on each database done`);

    // The paths through the running apps.
    for (const side of sides) {
      apps.set(side, await startApp({ ...side, env: appEnv(samples) }));
    }
    const targetOf = (side: Side): GrowthTarget => {
      const app = apps.get(side);
      if (!app || !side.target) throw new Error('p6: app not running');
      return { ...side.target, name: side.name, telegram: side.telegram, app };
    };
    for (let i = 0; i < samples; i++) {
      await inTurn(i, sides, async (side) => record('webhook', side, await sampleWebhook(targetOf(side), i)));
      await inTurn(i, sides, async (side) => record('pay', side, await samplePay(targetOf(side), i)));
      await inTurn(i, sides, async (side) => {
        const { first, older } = await sampleInvoicePages(targetOf(side));
        record('invoices', side, first);
        record('invoices_older', side, older);
      });
      await inTurn(i, sides, async (side) => record('status', side, await sampleStatus(targetOf(side), i)));
      await inTurn(i, sides, async (side) => record('stats', side, await sampleStats(targetOf(side))));
      await inTurn(i, sides, async (side) => {
        const { ms, rows } = await sampleExport(targetOf(side));
        exportRows[side.name] = rows;
        record('export', side, ms);
      });
      // Let the outbox send what the webhook and /pay queued before the next round.
      await sleep(50);
    }
    log(`p6: ${samples} samples of each path through the apps done`);
    for (const side of sides) {
      const app = apps.get(side);
      apps.delete(side);
      if (app) await stopApp(app, `p6-${side.name}`);
    }

    // A reconciler tick and an outbox claim, in this process (lib/in-process.ts says why).
    const harnesses = await Promise.all(sides.map((side) => openInProcess(side)));
    try {
      const pairs = [
        [small, harnesses[0]],
        [large, harnesses[1]],
      ] as const;
      for (const [, harness] of pairs) await harness?.queueForClaims(samples);
      for (let i = 0; i < samples; i++) {
        await inTurn(i, pairs, async ([side, harness]) => record('reconciler', side, (await harness?.tick()) ?? NaN));
        await inTurn(i, pairs, async ([side, harness]) => record('claim', side, (await harness?.claim()) ?? NaN));
      }
    } finally {
      for (const harness of harnesses) await harness.close();
    }

    const paths = Object.fromEntries(
      P6_PATHS.map((path) => [path, summarise(results[path].small, results[path].large)]),
    ) as Record<P6Path, P6PathResult>;
    for (const path of P6_PATHS) {
      const { smallP50, largeP50, ratio } = paths[path];
      log(`p6: ${path} p50 ${round(smallP50, 1)} ms small, ${round(largeP50, 1)} ms large, ratio ${round(ratio, 2)}`);
    }
    return { paths, samples, scale, largeInvoices: shape.invoices, seedMs, exportRows };
  } finally {
    for (const [side, app] of apps) await stopApp(app, `p6-${side.name}`);
    for (const side of sides) {
      await side.telegram.close();
      await side.smartypay.close();
      await side.database.drop();
    }
  }
}
