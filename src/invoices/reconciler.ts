import { and, asc, eq, inArray, isNotNull, lte } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Database } from '../db/client.js';
import { type InvoiceRow, invoices } from '../db/schema.js';
import type { SmartyPayClient } from '../payments/client.js';
import { INLINE_DRAFT_TTL_MS } from './inline-drafts.js';
import { createRecheckBudget, type RecheckBudget } from './recheck-budget.js';
import { checkRetryDelayMs, nextCheckAfter } from './schedule.js';
import type { InvoiceService } from './service.js';
import { canTransition, RECHECKED_STATUSES } from './state-machine.js';

// Asks SMARTy Pay (signed GET) about invoices whose check is due: it recovers a lost Paid webhook
// and expires invoices, for which SMARTy Pay sends no webhook at all.

export interface ReconcilerDeps {
  db: Database;
  payments: SmartyPayClient;
  invoices: InvoiceService;
  logger: Logger;
  now?: () => Date;
  /** Upper bound on SMARTy Pay calls per minute from this process (used when no `budget` is given). */
  maxChecksPerMinute?: number;
  /** The per-minute check budget, shared with "Check status" taps. */
  budget?: RecheckBudget;
  intervalMs?: number;
  /** When SMARTy Pay cannot be asked, expire locally this long after expiry anyway. */
  expiryGraceMs?: number;
  /**
   * Queues due "expires soon" reminders (after the checks, so an invoice found paid or expired gets none). It and
   * the invoices service wake the outbox themselves after what they commit.
   */
  reminders?: { enqueueDueReminders(): Promise<number> };
  /** Paid access, on every tick: renewal reminders, then removing members whose access ended (src/notify/access-*). */
  access?: { sweep(): Promise<void>; stop?(): void };
  /**
   * The shop's keys, on every tick: holds a crash left and reservations of invoices past expiry that no status
   * change frees (Unconfirmed, UnderPaid) go back to stock (src/products/key-holds.ts).
   */
  keys?: { releaseLapsed(): Promise<number> };
  /** Inline-mode drafts: one row per distinct query typed, pruned here about once an hour. */
  drafts?: { pruneBefore(before: Date): Promise<number> };
}

export interface Reconciler {
  start(): void;
  stop(): Promise<void>;
  /** Runs the checks due now; returns how many invoices it checked. */
  tick(): Promise<number>;
}

const PRUNE_EVERY_MS = 60 * 60_000;

/** While one process checks an invoice, others leave it alone for this long. */
const CLAIM_MS = 2 * 60_000;

export function createReconciler(deps: ReconcilerDeps): Reconciler {
  const { db, payments, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const budget = deps.budget ?? createRecheckBudget({ maxPerMinute: deps.maxChecksPerMinute ?? 60, now });
  const intervalMs = deps.intervalMs ?? 5_000;
  const graceMs = deps.expiryGraceMs ?? 60 * 60_000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let lastPrunedAt = Number.NEGATIVE_INFINITY;

  /** Takes due invoices and pushes their check time out, so a second process skips them. */
  async function claimDue(limit: number): Promise<InvoiceRow[]> {
    const at = now();
    return db.transaction(async (tx) => {
      const due = await tx
        .select({ id: invoices.id })
        .from(invoices)
        .where(and(isNotNull(invoices.nextCheckAt), lte(invoices.nextCheckAt, at)))
        .orderBy(asc(invoices.nextCheckAt))
        .limit(limit)
        .for('update', { skipLocked: true });
      if (due.length === 0) return [];
      return tx
        .update(invoices)
        .set({ nextCheckAt: new Date(at.getTime() + CLAIM_MS) })
        .where(
          inArray(
            invoices.id,
            due.map((row) => row.id),
          ),
        )
        .returning();
    });
  }

  async function check(invoice: InvoiceRow): Promise<void> {
    const at = now();
    let applied = false;
    try {
      const remote = await payments.getInvoice(invoice.smartyPayId);
      applied = await deps.invoices.applyRemoteState(invoice.id, remote);
      if (applied) logger.info({ invoiceId: invoice.id, status: remote.status }, 're-check found a new status');
      if (!applied && at >= invoice.expiresAt && canTransition(invoice.status, 'Expired')) {
        applied = await deps.invoices.expire(invoice.id);
        if (applied) logger.info({ invoiceId: invoice.id }, 'invoice expired unpaid');
      }
      await schedule(invoice, nextCheckAfter(invoice.createdAt, invoice.expiresAt, at) ?? null, 0);
    } catch (error) {
      const failures = invoice.checkFailures + 1;
      if (at.getTime() >= invoice.expiresAt.getTime() + graceMs) {
        // A late Paid webhook is still recorded and confirmed ("paid after expiry"). A cancelled invoice
        // stays cancelled; its checks just stop.
        if (canTransition(invoice.status, 'Expired')) {
          logger.warn({ err: error, invoiceId: invoice.id }, 'SMARTy Pay unreachable past expiry; expiring locally');
          await deps.invoices.expire(invoice.id);
        }
        await schedule(invoice, null, failures);
      } else {
        logger.warn({ err: error, invoiceId: invoice.id, failures }, 'invoice re-check failed; will retry');
        await schedule(invoice, new Date(at.getTime() + checkRetryDelayMs(failures)), failures);
      }
    }
  }

  /** Sets the next check unless the invoice closed meanwhile (then the transition cleared it). */
  async function schedule(invoice: InvoiceRow, next: Date | null, failures: number): Promise<void> {
    await db
      .update(invoices)
      .set({ nextCheckAt: next, checkFailures: failures })
      .where(
        and(
          eq(invoices.id, invoice.id),
          isNotNull(invoices.nextCheckAt),
          inArray(invoices.status, [...RECHECKED_STATUSES]),
        ),
      );
  }

  async function tick(): Promise<number> {
    const at = now().getTime();
    // Taken up front, so a tap in the meantime cannot push the minute over the bound.
    const granted = budget.take(20);
    let due: InvoiceRow[] = [];
    try {
      if (granted > 0) due = await claimDue(granted);
    } finally {
      budget.giveBack(granted - due.length);
    }
    await Promise.all(due.map((invoice) => check(invoice)));
    await deps.reminders?.enqueueDueReminders();
    // Its own failure is logged, not the tick's: the drafts below are still pruned.
    await deps.access?.sweep().catch((error: unknown) => logger.error({ err: error }, 'access removals failed'));
    await deps.keys?.releaseLapsed().catch((error: unknown) => logger.error({ err: error }, 'key release failed'));
    if (deps.drafts && at - lastPrunedAt >= PRUNE_EVERY_MS) {
      lastPrunedAt = at;
      const pruned = await deps.drafts.pruneBefore(new Date(at - INLINE_DRAFT_TTL_MS));
      if (pruned > 0) logger.info({ pruned }, 'old inline drafts removed');
    }
    return due.length;
  }

  function loop(): void {
    timer = setTimeout(async () => {
      running = tick().catch((error) => {
        logger.error({ err: error }, 'reconciler tick failed');
        return 0;
      });
      await running;
      running = undefined;
      if (timer) loop();
    }, intervalMs);
  }

  return {
    tick,
    start() {
      if (!timer) loop();
    },
    async stop() {
      clearTimeout(timer);
      timer = undefined;
      // A sweep under way hands back what it has not started on.
      deps.access?.stop?.();
      await running;
    },
  };
}
