import type { Logger } from 'pino';
import type { Metrics } from '../metrics.js';
import type { DatabaseHandle, Query } from './client.js';
import { FINISHED_OUTBOX_STATUSES } from './vocabulary.js';

// A bot that takes payments runs for years, so rows that only served a short-lived purpose are deleted once it
// is over (docs/reliability.md, "Data kept", says why each is safe). Invoices are never deleted. Deletes go in
// batches of at most `batchSize` rows, each its own short statement that skips rows another transaction holds, so
// nothing waits on retention and retention waits on nothing; one process at a time prunes (an advisory lock).

export const RETENTION_TABLES = [
  'telegram_updates',
  'outbox',
  'webhook_events',
  'webhook_duplicates',
  'chat_throttle',
  'chat_invoice_hours',
] as const;
export type RetentionTable = (typeof RETENTION_TABLES)[number];

/** Telegram redelivers an unacknowledged update for about a day at most; a week leaves room. */
export const TELEGRAM_UPDATES_KEPT_DAYS = 7;

/** /stats reads at most the last 7 days of chat_invoice_hours (src/invoices/report-stats.ts); a day more is kept. */
export const CHAT_INVOICE_HOURS_KEPT_DAYS = 8;

const DAY_MS = 24 * 60 * 60_000;

interface Rule {
  /** The primary key (its columns, comma-separated): batches are picked by it. */
  key: string;
  /** Which rows may go: `$1` is the cutoff. Each has an index (src/db/schema.ts), except chat_throttle (below). */
  where: string;
  /** The cutoff at `now`; undefined keeps every row. */
  cutoff(now: Date, retentionDays: number): Date | undefined;
}

const daysBefore = (now: Date, days: number) => new Date(now.getTime() - days * DAY_MS);
const finished = FINISHED_OUTBOX_STATUSES.map((status) => `'${status}'`).join(', ');

const RULES: Record<RetentionTable, Rule> = {
  // The first-delivery log of webhook mode: a redelivery older than a week does not happen.
  telegram_updates: {
    key: 'update_id',
    where: 'received_at < $1::timestamptz',
    cutoff: (now) => daysBefore(now, TELEGRAM_UPDATES_KEPT_DAYS),
  },
  // Finished notifications only: a pending or sending row is never deleted, whatever its age.
  outbox: {
    key: 'id',
    where: `status in (${finished}) and created_at < $1::timestamptz`,
    cutoff: (now, days) => (days > 0 ? daysBefore(now, days) : undefined),
  },
  // The raw payloads and their dedupe keys: a replay after they are gone is stale (the state machine only moves
  // forward), see docs/reliability.md.
  webhook_events: {
    key: 'id',
    where: 'received_at < $1::timestamptz',
    cutoff: (now, days) => (days > 0 ? daysBefore(now, days) : undefined),
  },
  // Repeated deliveries, kept as long as the events they repeated (the dashboard lists both).
  webhook_duplicates: {
    key: 'dedupe_key',
    where: 'last_received_at < $1::timestamptz',
    cutoff: (now, days) => (days > 0 ? daysBefore(now, days) : undefined),
  },
  // A chat whose pacing time has passed is as free to send to as one with no row. No index: every send writes this
  // table, and with old rows gone it holds one row per chat sent to in the last seconds.
  chat_throttle: {
    key: 'chat_id',
    where: 'next_allowed_at < $1::timestamptz',
    cutoff: (now) => now,
  },
  // Per-hour copies of the chat totals, for /stats' windows; the all-time totals stay in chat_invoice_totals.
  chat_invoice_hours: {
    key: 'chat_id, hour, status, token, paid_token',
    where: 'hour < $1::timestamptz',
    cutoff: (now) => daysBefore(now, CHAT_INVOICE_HOURS_KEPT_DAYS),
  },
};

/** One batch: locks up to `$2` deletable rows (skipping any another transaction holds) and deletes them. */
export function retentionBatchStatement(table: RetentionTable): string {
  const { key, where } = RULES[table];
  return `
  with gone as (
    delete from ${table} where (${key}) in (
      select ${key} from ${table} where ${where} limit $2::int for update skip locked
    )
    returning 1
  )
  select count(*)::int as deleted from gone`;
}

/** Any fixed number: every process on the database takes the same advisory lock before pruning. */
const RETENTION_LOCK_KEY = 7_302_114;

export type RetentionRun = { outcome: 'done'; deleted: Record<RetentionTable, number> } | { outcome: 'busy' };

export interface Retention {
  /** Prunes every table now (or joins the run in progress); 'busy' when another process holds the lock. */
  runOnce(): Promise<RetentionRun>;
  /** Runs shortly after start, then every `intervalMs`. */
  start(): void;
  /** No new run; a run in progress ends after its current batch. */
  stop(): Promise<void>;
}

export interface RetentionDeps {
  database: Pick<DatabaseHandle, 'session'>;
  logger: Logger;
  now?: () => Date;
  /** DATA_RETENTION_DAYS: finished outbox rows and webhook events older than this go; 0 keeps them forever. */
  retentionDays: number;
  metrics?: Pick<Metrics, 'retentionDeletedRows' | 'retentionRuns'>;
  /** Rows per delete statement (at most 5,000: a statement stays short and its locks few). */
  batchSize?: number;
  /** Wall-clock pause between batches, so a large backlog leaves the database to the app in between. */
  pauseMs?: number;
  firstRunAfterMs?: number;
  intervalMs?: number;
}

export function createRetention(deps: RetentionDeps): Retention {
  const { database, logger, metrics } = deps;
  const now = deps.now ?? (() => new Date());
  const batchSize = Math.min(deps.batchSize ?? 5_000, 5_000);
  const pauseMs = deps.pauseMs ?? 50;
  const intervalMs = deps.intervalMs ?? 60 * 60_000;
  let timer: NodeJS.Timeout | undefined;
  let stopping = false;
  let running: Promise<RetentionRun> | undefined;

  async function prune(query: Query, table: RetentionTable, cutoff: Date): Promise<number> {
    const statement = retentionBatchStatement(table);
    let total = 0;
    for (;;) {
      const [row] = await query(statement, [cutoff.toISOString(), batchSize]);
      const deleted = Number(row?.deleted ?? 0);
      total += deleted;
      if (deleted > 0) metrics?.retentionDeletedRows.inc({ table }, deleted);
      if (deleted < batchSize || stopping) return total;
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }

  /** Under the lock, on the one connection that holds it: each batch is its own statement (autocommit). */
  async function pruneAll(query: Query): Promise<RetentionRun> {
    const [lock] = await query('select pg_try_advisory_lock($1::bigint) as locked', [RETENTION_LOCK_KEY]);
    if (lock?.locked !== true) return { outcome: 'busy' };
    try {
      const at = now();
      const deleted = Object.fromEntries(RETENTION_TABLES.map((table) => [table, 0])) as Record<RetentionTable, number>;
      for (const table of RETENTION_TABLES) {
        const cutoff = RULES[table].cutoff(at, deps.retentionDays);
        if (cutoff && !stopping) deleted[table] = await prune(query, table, cutoff);
      }
      return { outcome: 'done', deleted };
    } finally {
      await query('select pg_advisory_unlock($1::bigint)', [RETENTION_LOCK_KEY]);
    }
  }

  async function run(): Promise<RetentionRun> {
    const started = Date.now();
    try {
      const result = await database.session(pruneAll);
      metrics?.retentionRuns.inc({ outcome: result.outcome });
      if (result.outcome === 'busy') logger.debug('data retention: another process is pruning');
      else if (Object.values(result.deleted).some((n) => n > 0)) {
        logger.info({ deleted: result.deleted, ms: Date.now() - started }, 'data retention: old rows deleted');
      }
      return result;
    } catch (error) {
      metrics?.retentionRuns.inc({ outcome: 'failed' });
      throw error;
    }
  }

  function runOnce(): Promise<RetentionRun> {
    running ??= run().finally(() => {
      running = undefined;
    });
    return running;
  }

  function schedule(ms: number): void {
    timer = setTimeout(async () => {
      await runOnce().catch((error) => logger.error({ err: error }, 'data retention failed; will retry'));
      if (!stopping) schedule(intervalMs);
    }, ms);
    timer.unref();
  }

  return {
    runOnce,
    start() {
      if (timer) return;
      stopping = false;
      schedule(deps.firstRunAfterMs ?? 60_000);
    },
    async stop() {
      stopping = true;
      clearTimeout(timer);
      timer = undefined;
      await running?.catch(() => {});
    },
  };
}
