import { and, count, eq, gte, inArray, min } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Database } from '../db/client.js';
import { outbox } from '../db/schema.js';
import type { OutboxBacklog } from '../metrics.js';

// Makes a stuck outbox visible: a periodic log line with the backlog and why sends fail.

/** The backlog (what the /metrics gauges show) and why sends fail. */
export interface OutboxSnapshot extends OutboxBacklog {
  /** Notifications given up in the last 24 h, by Telegram's answer. */
  failedByReason: Record<string, number>;
}

export interface OutboxMonitor {
  snapshot(): Promise<OutboxSnapshot>;
  start(): void;
  stop(): void;
}

export interface OutboxMonitorDeps {
  db: Database;
  logger: Logger;
  now?: () => Date;
  intervalMs?: number;
  /** A backlog older than this is logged as a warning. */
  stuckAfterMs?: number;
}

export function createOutboxMonitor(deps: OutboxMonitorDeps): OutboxMonitor {
  const now = deps.now ?? (() => new Date());
  const stuckAfterMs = deps.stuckAfterMs ?? 5 * 60_000;
  let timer: NodeJS.Timeout | undefined;

  async function snapshot(): Promise<OutboxSnapshot> {
    const at = now();
    const [backlog] = await deps.db
      .select({ pending: count(), oldest: min(outbox.createdAt) })
      .from(outbox)
      .where(inArray(outbox.status, ['pending', 'sending']));
    const failures = await deps.db
      .select({ reason: outbox.lastError, n: count() })
      .from(outbox)
      .where(and(eq(outbox.status, 'failed'), gte(outbox.createdAt, new Date(at.getTime() - 86_400_000))))
      .groupBy(outbox.lastError);
    const failedByReason: Record<string, number> = {};
    for (const { reason, n } of failures) {
      const key = (reason ?? 'unknown').slice(0, 120);
      failedByReason[key] = (failedByReason[key] ?? 0) + n;
    }
    const oldest = backlog?.oldest ? new Date(backlog.oldest) : undefined;
    return {
      pending: backlog?.pending ?? 0,
      oldestPendingAgeMs: oldest ? at.getTime() - oldest.getTime() : null,
      failedByReason,
    };
  }

  async function report(): Promise<void> {
    try {
      const state = await snapshot();
      const stuck = (state.oldestPendingAgeMs ?? 0) > stuckAfterMs;
      if (stuck) deps.logger.warn({ outbox: state }, 'outbox backlog is old: notifications are not getting through');
      else if (state.pending > 0 || Object.keys(state.failedByReason).length > 0) {
        deps.logger.info({ outbox: state }, 'outbox status');
      }
    } catch (error) {
      deps.logger.warn({ err: error }, 'outbox status unavailable');
    }
  }

  return {
    snapshot,
    start() {
      timer ??= setInterval(report, deps.intervalMs ?? 60_000);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
