import type { Logger } from 'pino';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

// Prometheus instruments for GET /metrics. Each app owns its registry (never prom-client's global one),
// so several apps in one process (tests) count separately.

/** What the webhook route answered: stored (200), or refused before storing. */
export type WebhookRequestOutcome = 'accepted' | 'bad_signature' | 'malformed' | 'too_large' | 'error';

/** What applying a stored webhook did (src/invoices/webhook-inbox.ts); `failed`: set aside after too many tries. */
export type WebhookEventOutcome = 'applied' | 'duplicate' | 'stale' | 'unknown_invoice' | 'ignored' | 'failed';

export type NotificationResult = 'sent' | 'failed' | 'skipped' | 'retry';

/** A retention run: it pruned, another process held the lock, or it failed (src/db/retention.ts). */
export type RetentionRunOutcome = 'done' | 'busy' | 'failed';

export interface Metrics {
  registry: Registry;
  invoicesCreated: Counter<'token'>;
  invoicesPaid: Counter<'token'>;
  invoicesExpired: Counter<'token'>;
  webhookRequests: Counter<'outcome'>;
  /** Stored webhooks applied, by what they did (WebhookEventOutcome). */
  webhookEvents: Counter<'outcome'>;
  /** `code`: Telegram's error_code, 'network' when Telegram was not reached, 'other' for anything else. */
  telegramApiErrors: Counter<'code'>;
  notifications: Counter<'kind' | 'result'>;
  payCommandDuration: Histogram;
  webhookDuration: Histogram;
  /** `table`: the table retention deleted old rows from. */
  retentionDeletedRows: Counter<'table'>;
  retentionRuns: Counter<'outcome'>;
  /** Paid access: members removed from a chat when their access ended. */
  accessRemovals: Counter;
  /** Paid access: payments that extended access still running (a renewal), not a first or returning one. */
  accessRenewals: Counter;
  /** Paid access: active grants per product (read from the database at every scrape). */
  accessActive: Gauge<'product'>;
}

/** What the outbox gauges show; the outbox monitor's snapshot (src/notify/outbox-monitor.ts) is one. */
export interface OutboxBacklog {
  pending: number;
  oldestPendingAgeMs: number | null;
}

/** What the shop gauges show, read from the database (ProductService.totals), so every process agrees. */
export interface ShopTotals {
  /** Sales of products: paid invoices of a product (a sale paid in two parts once). */
  sold: number;
  /** Free keys of products not deleted. */
  keysLeft: number;
}

export interface MetricsDeps {
  /** Read at every scrape for the outbox gauges (OutboxMonitor.snapshot). */
  readOutbox?: () => Promise<OutboxBacklog>;
  /** Read at every scrape for the shop gauges. */
  readShop?: () => Promise<ShopTotals>;
  /** Read at every scrape: active paid-access grants per product code. */
  readAccess?: () => Promise<Array<{ product: string; active: number }>>;
  logger?: Logger;
  /** A scrape does not wait longer than this for the outbox read. */
  readTimeoutMs?: number;
}

// From a quick in-memory webhook (~5 ms) to a slow SMARTy Pay call near its timeout (~10 s).
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createMetrics(deps: MetricsDeps = {}): Metrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });

  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Counter<L>({ name, help, labelNames, registers });
  const histogram = (name: string, help: string) => new Histogram({ name, help, buckets: DURATION_BUCKETS, registers });

  // The gauges of one read collect concurrently within one scrape (prom-client gathers metrics with Promise.all),
  // so they share the read in flight: one query per scrape, and consistent values.
  function sharedRead<T>(what: string, read: (() => Promise<T>) | undefined): () => Promise<T | undefined> {
    let reading: Promise<T | undefined> | undefined;
    async function readOnce(): Promise<T | undefined> {
      if (!read) return undefined;
      let timer: NodeJS.Timeout | undefined;
      try {
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`${what} read timed out`)), deps.readTimeoutMs ?? 2_000);
        });
        return await Promise.race([read(), timeout]);
      } catch (error) {
        // The rest of /metrics is still served; NaN says "unknown" rather than a stale or made-up number.
        deps.logger?.warn({ err: error }, `metrics: ${what} unavailable`);
        return undefined;
      } finally {
        clearTimeout(timer);
      }
    }
    return () => {
      reading ??= readOnce().finally(() => {
        reading = undefined;
      });
      return reading;
    };
  }
  const readOutbox = sharedRead('outbox backlog', deps.readOutbox);
  const readShop = sharedRead('shop totals', deps.readShop);

  new Gauge({
    name: 'outbox_pending',
    help: 'Notifications waiting to be sent or being sent (NaN when the database did not answer).',
    registers,
    async collect() {
      const snapshot = await readOutbox();
      this.set(snapshot ? snapshot.pending : Number.NaN);
    },
  });
  new Gauge({
    name: 'outbox_oldest_pending_age_seconds',
    help: 'Age of the oldest waiting notification; 0 when none waits (NaN when the database did not answer).',
    registers,
    async collect() {
      const snapshot = await readOutbox();
      this.set(snapshot ? (snapshot.oldestPendingAgeMs ?? 0) / 1000 : Number.NaN);
    },
  });

  new Gauge({
    name: 'shop_products_sold',
    help: 'Products sold in the shop: paid invoices of a product (NaN when the database did not answer).',
    registers,
    async collect() {
      const totals = await readShop();
      this.set(totals ? totals.sold : Number.NaN);
    },
  });
  new Gauge({
    name: 'shop_keys_left',
    help: 'Free keys of products not deleted (NaN when the database did not answer).',
    registers,
    async collect() {
      const totals = await readShop();
      this.set(totals ? totals.keysLeft : Number.NaN);
    },
  });

  const readAccess = sharedRead('access grants', deps.readAccess);
  const accessActive = new Gauge({
    name: 'access_active_members',
    help: 'Paid access: active, unexpired grants per product code.',
    labelNames: ['product'] as const,
    registers,
    async collect() {
      const rows = await readAccess();
      this.reset();
      for (const row of rows ?? []) this.set({ product: row.product }, row.active);
    },
  });

  return {
    registry,
    accessRemovals: counter('access_removals_total', 'Paid access: members removed when their access ended.', []),
    accessRenewals: counter('access_renewals_total', 'Paid access: payments that extended running access.', []),
    accessActive,
    invoicesCreated: counter('invoices_created_total', 'Invoices issued through /pay.', ['token']),
    invoicesPaid: counter('invoices_paid_total', 'Invoices that became Paid, SimplePaid or OverPaid.', ['token']),
    invoicesExpired: counter('invoices_expired_total', 'Invoices that became Expired.', ['token']),
    webhookRequests: counter('webhook_requests_total', 'SMARTy Pay webhook requests by answer.', ['outcome']),
    webhookEvents: counter('webhook_events_total', 'Stored SMARTy Pay webhooks applied, by outcome.', ['outcome']),
    telegramApiErrors: counter('telegram_api_errors_total', 'Failed Telegram calls of the outbox.', ['code']),
    notifications: counter('notifications_total', 'Outbox send attempts by kind and result.', ['kind', 'result']),
    payCommandDuration: histogram('pay_command_duration_seconds', 'The whole /pay handler, success or not.'),
    webhookDuration: histogram(
      'webhook_duration_seconds',
      'SMARTy Pay webhook requests, from routing (before the body is read) to the answer sent.',
    ),
    retentionDeletedRows: counter('retention_deleted_rows_total', 'Old rows deleted by data retention, by table.', [
      'table',
    ]),
    retentionRuns: counter(
      'retention_runs_total',
      'Data retention runs: done, busy (another process held the lock) or failed.',
      ['outcome'],
    ),
  };
}
