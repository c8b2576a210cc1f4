import { and, eq, isNull, lte, or } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Database, Query } from '../db/client.js';
import { type InvoiceRow, invoices } from '../db/schema.js';
import type { SmartyPayClient } from '../payments/client.js';
import { type OutboxWaker, transitionAndWake } from './outbox-waker.js';
import type { RateQuota } from './quota.js';
import type { RecheckBudget } from './recheck-budget.js';
import type { InvoiceService } from './service.js';
import { canTransition, isPaidStatus, OPEN_STATUSES } from './state-machine.js';

// An invoice after it was issued, as the chat drives it: "Check status" taps, /cancel, reminders.

export interface InvoiceLifecycleDeps {
  db: Database;
  query: Query;
  payments: SmartyPayClient;
  invoices: InvoiceService;
  logger: Logger;
  now?: () => Date;
  /** "Check status" asks SMARTy Pay about one invoice at most this often; taps in between are answered from the row. */
  checkIntervalMs?: number;
  /** RECHECK_MAX_PER_MINUTE, shared with the reconciler: a tap spends from it or is answered "busy". */
  budget?: RecheckBudget | undefined;
  /** CHECK_STATUS_PER_USER_PER_MINUTE: taps one user may send on to SMARTy Pay (rate_quota, all processes). */
  perUser?: { quota: RateQuota; perMinute: number } | undefined;
  /** Woken after /cancel or the reminders statement committed outbox rows. */
  outbox: OutboxWaker;
}

export type CheckResult =
  | { kind: 'checked'; invoice: InvoiceRow; changed: boolean }
  | { kind: 'throttled'; invoice: InvoiceRow }
  /** The tapping user's own limit is spent; SMARTy Pay was not asked. */
  | { kind: 'limited'; invoice: InvoiceRow; perMinute: number }
  /** The shared re-check budget is spent for this minute; SMARTy Pay was not asked. */
  | { kind: 'busy'; invoice: InvoiceRow }
  | { kind: 'failed'; invoice: InvoiceRow };

export type CancelResult = { kind: 'cancelled'; invoice: InvoiceRow } | { kind: 'not_open'; invoice: InvoiceRow };

export interface InvoiceLifecycle {
  /**
   * Re-checks SMARTy Pay (signed GET) unless checked within the interval, `userId` tapped too often, or the
   * minute's check budget is spent; applies what it says.
   */
  checkStatus(invoice: InvoiceRow, userId?: number): Promise<CheckResult>;
  /** Marks an open invoice Cancelled (locally: SMARTy Pay has no cancel) and queues the card edit. */
  cancel(invoice: InvoiceRow, userId: number): Promise<CancelResult>;
  /** Queues the due "expires soon" reminders, each once; returns how many. */
  enqueueDueReminders(limit?: number): Promise<number>;
}

// One statement: take due reminders, clear them (so each is considered once), queue those still open ($3).
const REMINDERS_SQL = `
  with due as (
    select id from invoices where remind_at is not null and remind_at <= $1::timestamptz
    order by remind_at limit $2 for update skip locked
  ),
  cleared as (
    update invoices i set remind_at = null from due where i.id = due.id
    returning i.id, i.notify_chat_id as chat_id, i.status, i.expires_at, i.pay_message_id, i.card_message_id
  ),
  queued as (
    insert into outbox (dedupe_key, kind, invoice_id, chat_id, target_message_id, payload, next_attempt_at, created_at)
    select c.id::text || ':reminder_reply', 'reminder_reply', c.id, c.chat_id,
      coalesce(c.pay_message_id, c.card_message_id), jsonb_build_object('status', c.status),
      $1::timestamptz, $1::timestamptz
    from cleared c
    where c.status = any($3::text[]) and c.expires_at > $1::timestamptz
    on conflict (dedupe_key) do nothing
    returning 1
  )
  select (select count(*) from queued)::int as queued`;

export function createInvoiceLifecycle(deps: InvoiceLifecycleDeps): InvoiceLifecycle {
  const { db, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const checkIntervalMs = deps.checkIntervalMs ?? 10_000;

  async function byId(id: number): Promise<InvoiceRow | undefined> {
    const [row] = await db.select().from(invoices).where(eq(invoices.id, id)).limit(1);
    return row;
  }

  /** Atomically takes the invoice's check slot: true for the one tap that may ask SMARTy Pay now. */
  async function claimCheck(id: number, at: Date): Promise<boolean> {
    const since = new Date(at.getTime() - checkIntervalMs);
    const claimed = await db
      .update(invoices)
      .set({ statusCheckedAt: at })
      .where(and(eq(invoices.id, id), or(isNull(invoices.statusCheckedAt), lte(invoices.statusCheckedAt, since))))
      .returning({ id: invoices.id });
    return claimed.length > 0;
  }

  /** Gives the check slot back when no check was made after all, so the next tap may ask. */
  async function unclaimCheck(invoice: InvoiceRow, at: Date): Promise<void> {
    await db
      .update(invoices)
      .set({ statusCheckedAt: invoice.statusCheckedAt })
      .where(and(eq(invoices.id, invoice.id), eq(invoices.statusCheckedAt, at)));
  }

  /** Why this tap may not reach SMARTy Pay now, if it may not. Per user first: it says more to the tapper. */
  async function refusal(invoice: InvoiceRow, userId: number | undefined): Promise<CheckResult | undefined> {
    const perUser = deps.perUser;
    if (perUser && perUser.perMinute > 0 && userId !== undefined) {
      if (!(await perUser.quota.take(`check:${userId}`, perUser.perMinute))) {
        return { kind: 'limited', invoice, perMinute: perUser.perMinute };
      }
    }
    if (deps.budget && deps.budget.take(1) === 0) return { kind: 'busy', invoice };
    return undefined;
  }

  return {
    async checkStatus(invoice, userId) {
      // Paid is final for the chat: no need to ask again.
      if (isPaidStatus(invoice.status)) return { kind: 'checked', invoice, changed: false };
      const at = now();
      // Per invoice first: repeated taps on one card cost the tapper nothing.
      if (!(await claimCheck(invoice.id, at))) return { kind: 'throttled', invoice };
      const refused = await refusal(invoice, userId);
      if (refused) {
        await unclaimCheck(invoice, at);
        logger.info({ invoiceId: invoice.id, userId, refusal: refused.kind }, 'status check not sent to SMARTy Pay');
        return refused;
      }
      let changed = false;
      try {
        const remote = await deps.payments.getInvoice(invoice.smartyPayId);
        changed = await deps.invoices.applyRemoteState(invoice.id, remote);
        if (!changed && at >= invoice.expiresAt && canTransition(invoice.status, 'Expired')) {
          changed = await deps.invoices.expire(invoice.id);
        }
      } catch (error) {
        logger.warn({ err: error, invoiceId: invoice.id }, 'status check at SMARTy Pay failed');
        return { kind: 'failed', invoice };
      }
      if (changed) logger.info({ invoiceId: invoice.id }, 'status check found a new status');
      return { kind: 'checked', invoice: (await byId(invoice.id)) ?? invoice, changed };
    },

    async cancel(invoice, userId) {
      const result = await transitionAndWake(deps.query, deps.outbox, {
        invoice: { id: invoice.id },
        cause: { kind: 'cancel', byUserId: userId },
        now: now(),
      });
      const current = (await byId(invoice.id)) ?? invoice;
      if (result.outcome !== 'applied') return { kind: 'not_open', invoice: current };
      logger.info({ invoiceId: invoice.id, userId }, 'invoice cancelled');
      return { kind: 'cancelled', invoice: current };
    },

    async enqueueDueReminders(limit = 50) {
      const [row] = await deps.query(REMINDERS_SQL, [now().toISOString(), limit, OPEN_STATUSES]);
      const queued = Number(row?.queued ?? 0);
      if (queued > 0) deps.outbox.wake(); // one statement: committed once it returned
      return queued;
    },
  };
}
