import type { Logger } from 'pino';
import type { Query } from '../db/client.js';
import type { Metrics, WebhookEventOutcome } from '../metrics.js';
import { webhookPayloadSchema } from '../payments/webhook-payload.js';
import type { InvoiceService } from './service.js';

// SMARTy Pay's webhooks, stored first and applied after. The route checks the signature and the shape, commits the
// raw body here (one insert, the least any durable receiver does) and answers 200; this worker then applies each row
// through `InvoiceService.applyWebhook` (event dedupe, the state machine, the outbox) and deletes it. Applying is
// idempotent, so a row applied twice (a crash between applying and deleting, a lapsed lease) changes nothing the
// second time. Rows are taken oldest first under a lease with FOR UPDATE SKIP LOCKED, so replicas share the work;
// the process that stored a row is woken at once, the others find leftovers by polling. One batch at a time per
// process: under a burst the 200s keep coming at the receiver's pace while the rows are applied behind them, and
// nothing downstream is slowed by applying faster (confirmations leave at Telegram's ~30 a second).

export interface WebhookInboxDeps {
  query: Query;
  invoices: Pick<InvoiceService, 'applyWebhook'>;
  logger: Logger;
  metrics?: Metrics | undefined;
  batchSize?: number;
  pollIntervalMs?: number;
  /** How long a taken row is another process's before it may be taken again. */
  leaseMs?: number;
  /** Failed attempts after which a row is set aside for a human (logged as an error). */
  maxAttempts?: number;
}

export interface WebhookInbox {
  /**
   * Stores a signed, well-formed webhook's raw body; resolves once committed, and wakes the worker. `requestId`
   * (the request's X-Request-Id) goes on the lines logged while applying it.
   */
  accept(rawBody: string, requestId?: string): Promise<void>;
  start(): void;
  /** Stops taking rows; waits (bounded) for the batch in hand, whose unapplied rows are released. */
  stop(timeoutMs?: number): Promise<void>;
  /** Takes and applies one batch; returns how many rows it took. For tests and the loop. */
  processOnce(): Promise<number>;
  /** For tests: applies until no row is waiting or taken (by any process). Rejects after `timeoutMs`. */
  drain(timeoutMs?: number): Promise<void>;
}

const ACCEPT_SQL = 'insert into webhook_inbox (raw_payload, request_id) values ($1, $2)';

// The oldest waiting rows, taken for leaseMs. attempts counts takes, so a row that keeps failing is set aside.
const TAKE_SQL = `update webhook_inbox set lease_until = clock_timestamp() + make_interval(secs => $2::float8 / 1000),
    attempts = attempts + 1
  where id in (select id from webhook_inbox
    where failed_at is null and (lease_until is null or lease_until <= clock_timestamp())
    order by id limit $1 for update skip locked)
  returning id, raw_payload, request_id, attempts`;

const DONE_SQL = 'delete from webhook_inbox where id = any($1::bigint[])';

// Handed back untried (a stop mid-batch): the take's attempt is taken back too, so it never counts towards setting aside.
const RELEASE_SQL =
  'update webhook_inbox set lease_until = null, attempts = greatest(attempts - 1, 0) where id = any($1::bigint[])';

const RETRY_SQL = `update webhook_inbox set lease_until = clock_timestamp() + make_interval(secs => $2::float8 / 1000),
    last_error = $3, failed_at = case when attempts >= $4 then clock_timestamp() end
  where id = $1`;

/** Any row not set aside: waiting, or taken by some process and not yet applied. */
const BUSY_SQL = 'select exists (select 1 from webhook_inbox where failed_at is null) as busy';

interface TakenRow {
  id: number;
  rawPayload: string;
  requestId: string | null;
  attempts: number;
}

/** A row that could not be applied comes back after this long: 1 s, doubling, at most 5 min. */
function retryDelayMs(attempts: number): number {
  return Math.min(300_000, 1000 * 2 ** Math.max(0, attempts - 1));
}

export function createWebhookInbox(deps: WebhookInboxDeps): WebhookInbox {
  const { query, logger } = deps;
  const batchSize = deps.batchSize ?? 20;
  const pollIntervalMs = deps.pollIntervalMs ?? 1000;
  const leaseMs = deps.leaseMs ?? 15_000;
  const maxAttempts = deps.maxAttempts ?? 20;
  let running = false;
  let stopping = false;
  let wakeRequested = false;
  let timer: NodeJS.Timeout | undefined;
  let wakeSleeper: (() => void) | undefined;
  let loop: Promise<void> | undefined;
  /** Rows this process holds right now (released on stop). */
  const inHand = new Set<number>();

  const count = (outcome: WebhookEventOutcome) => deps.metrics?.webhookEvents.inc({ outcome });

  /** Applies one stored webhook; true when applied (the row goes), false when it stays (to retry, or set aside). */
  async function apply(row: TakenRow): Promise<boolean> {
    const logger = row.requestId === null ? deps.logger : deps.logger.child({ reqId: row.requestId });
    let json: unknown;
    try {
      json = JSON.parse(row.rawPayload);
    } catch {
      json = undefined;
    }
    // The route let only well-formed bodies in; a row this version cannot read (stored by another) is set aside.
    const parsed = webhookPayloadSchema.safeParse(json);
    if (!parsed.success) {
      logger.error({ inboxId: row.id }, 'stored SMARTy Pay webhook is not readable; set aside');
      await query(RETRY_SQL, [row.id, 0, 'not a webhook payload this version reads', 0]);
      count('failed');
      return false;
    }
    const payload = parsed.data;
    try {
      const result = await deps.invoices.applyWebhook(payload, row.rawPayload);
      const log = { inboxId: row.id, smartyPayId: payload.invoiceId, status: payload.status, outcome: result.outcome };
      if (result.outcome === 'unknown_invoice') {
        // Applied anyway: SMARTy Pay must not be asked to retry an invoice that is not ours.
        logger.warn(log, 'webhook for an unknown invoice');
      } else if (result.outcome === 'ignored') {
        logger.warn(log, 'webhook with a status SMARTy Pay does not define; recorded and ignored');
      } else {
        logger.debug({ ...log, invoiceId: result.invoiceId }, 'webhook applied');
      }
      count(result.outcome);
      return true;
    } catch (error) {
      const givingUp = row.attempts >= maxAttempts;
      const log = { err: error, inboxId: row.id, smartyPayId: payload.invoiceId, attempts: row.attempts };
      if (givingUp) logger.error(log, 'webhook could not be applied; set aside after too many attempts');
      else logger.warn(log, 'webhook could not be applied; will retry');
      try {
        await query(RETRY_SQL, [row.id, retryDelayMs(row.attempts), String(error).slice(0, 500), maxAttempts]);
      } catch {
        // The database is unreachable: the lease lapses and the row is taken again.
      }
      if (givingUp) count('failed');
      return false;
    }
  }

  async function processOnce(): Promise<number> {
    const taken = (await query(TAKE_SQL, [batchSize, leaseMs])).map(
      (r): TakenRow => ({
        id: Number(r.id),
        rawPayload: String(r.raw_payload),
        requestId: r.request_id == null ? null : String(r.request_id),
        attempts: Number(r.attempts),
      }),
    );
    for (const row of taken) inHand.add(row.id);
    const done: number[] = [];
    try {
      for (const row of taken) {
        if (stopping) break; // the rest are released below
        if (await apply(row)) done.push(row.id);
        inHand.delete(row.id);
      }
      if (done.length > 0) await query(DONE_SQL, [done]);
    } finally {
      const left = taken.filter((row) => inHand.has(row.id)).map((row) => row.id);
      for (const id of left) inHand.delete(id);
      if (left.length > 0) await query(RELEASE_SQL, [left]).catch(() => undefined);
    }
    return taken.length;
  }

  async function runLoop(): Promise<void> {
    while (running) {
      wakeRequested = false;
      let taken = 0;
      try {
        taken = await processOnce();
      } catch (error) {
        logger.error({ err: error }, 'webhook inbox: taking rows failed; will retry');
      }
      if (!running) break;
      if (taken > 0 || wakeRequested) continue;
      await new Promise<void>((resolve) => {
        timer = setTimeout(resolve, pollIntervalMs);
        wakeSleeper = resolve;
      });
      wakeSleeper = undefined;
    }
  }

  function wake(): void {
    wakeRequested = true;
    if (wakeSleeper) {
      clearTimeout(timer);
      wakeSleeper();
    }
  }

  return {
    async accept(rawBody, requestId) {
      await query(ACCEPT_SQL, [rawBody, requestId ?? null]);
      wake();
    },
    start() {
      if (running) return;
      running = true;
      stopping = false;
      loop = runLoop();
    },
    async stop(timeoutMs = 10_000) {
      running = false;
      stopping = true;
      clearTimeout(timer);
      wakeSleeper?.();
      if (!loop) return;
      await Promise.race([loop, new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
    },
    processOnce,
    async drain(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if ((await processOnce()) > 0) continue;
        const [state] = await query(BUSY_SQL, []);
        if (!state?.busy) return;
        if (Date.now() > deadline) throw new Error(`the webhook inbox still had rows after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}
