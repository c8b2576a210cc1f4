import { and, eq, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import type { Api } from 'grammy';
import type { Logger } from 'pino';
import type { Database } from '../db/client.js';
import { chatThrottle, type InvoiceRow, invoices, type OutboxRow, outbox } from '../db/schema.js';
import { backoffMs, classifyTelegramFailure, type FailureDecision } from './failures.js';
import { type PaymentFacts, renderClosedCard, renderPaymentReply } from './messages.js';
import { createPacer, type PacingOptions } from './pacing.js';

// Sends what the invoices service enqueued, at least once and normally exactly once:
// a row is claimed under a short lease (FOR UPDATE SKIP LOCKED, so several workers or
// processes can share the table), sent, then marked. A crash between Telegram accepting a
// message and us recording it can repeat that one message after the lease; nothing is lost.

export interface OutboxWorkerDeps {
  db: Database;
  /** An Api whose per-call timeout is well below `leaseMs`. */
  api: Api;
  logger: Logger;
  now?: () => Date;
  random?: () => number;
  leaseMs?: number;
  pollIntervalMs?: number;
  batchSize?: number;
  /** After this long a transiently failing notification is given up and logged as an error. */
  maxAgeMs?: number;
  pacing?: Partial<PacingOptions>;
  /** Sends waiting on Telegram at once. */
  maxInFlight?: number;
}

export interface OutboxWorker {
  /** Ask for a drain now (called right after a webhook commits). */
  wake(): void;
  start(): void;
  /** Stops claiming and waits (bounded) for sends in flight. */
  stop(timeoutMs?: number): Promise<void>;
  /** Claims and processes one batch; returns how many rows it handled. For tests and the loop. */
  drainOnce(): Promise<number>;
}

const isEdit = (kind: string) => kind.startsWith('card_');
const isEditKind = sql`starts_with(${outbox.kind}, 'card_')`;

type Outcome =
  | { status: 'sent' | 'skipped' | 'failed'; note?: string }
  | { status: 'pending'; note: string; nextAttemptAt: Date };

export function createOutboxWorker(deps: OutboxWorkerDeps): OutboxWorker {
  const { db, api, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const random = deps.random ?? Math.random;
  const leaseMs = deps.leaseMs ?? 30_000;
  const pollIntervalMs = deps.pollIntervalMs ?? 1000;
  const batchSize = deps.batchSize ?? 20;
  const maxAgeMs = deps.maxAgeMs ?? 24 * 60 * 60_000;

  const pacer = createPacer(deps.pacing);
  const minSleepMs = Math.max(5, Math.ceil(1000 / (deps.pacing?.perSecond ?? 30)));
  const inFlight = new Set<Promise<void>>();
  const maxInFlight = deps.maxInFlight ?? 100;
  let running = false;
  let wakeRequested = false;
  let timer: NodeJS.Timeout | undefined;
  let loop: Promise<void> | undefined;

  /**
   * Takes rows that are due, at most one per chat whose pacing allows a message now, as many as the
   * shared send budget has tokens for. The budget row lock serialises claimers across processes;
   * FOR UPDATE SKIP LOCKED on the rows keeps a claim from touching a row another worker is marking.
   */
  async function claim(): Promise<OutboxRow[]> {
    const at = now();
    return db.transaction(async (tx) => {
      const budget = await pacer.open(tx, at, batchSize);
      const dueFilter = or(
        and(eq(outbox.status, 'pending'), lte(outbox.nextAttemptAt, at)),
        // A worker that died mid-send leaves 'sending' behind; its lease tells when to take over.
        and(eq(outbox.status, 'sending'), lte(outbox.leaseUntil, at)),
      );
      /** The oldest due row of each chat, oldest first: no chat's backlog starves the others. */
      const oldestPerChat = async (edits: boolean, limit: number) => {
        if (limit < 1) return [];
        const perChat = tx
          .selectDistinctOn([outbox.chatId], { id: outbox.id, dueAt: outbox.nextAttemptAt })
          .from(outbox)
          .leftJoin(chatThrottle, eq(chatThrottle.chatId, outbox.chatId))
          .where(
            edits
              ? and(dueFilter, isEditKind)
              : // Chat pacing counts new messages; an edit changes one already there.
                and(
                  dueFilter,
                  sql`not ${isEditKind}`,
                  or(isNull(chatThrottle.nextAllowedAt), lte(chatThrottle.nextAllowedAt, at)),
                ),
          )
          .orderBy(outbox.chatId, outbox.nextAttemptAt, outbox.id)
          .as('oldest_per_chat');
        return tx.select({ id: perChat.id }).from(perChat).orderBy(perChat.dueAt, perChat.id).limit(limit);
      };
      const candidates = [
        ...(await oldestPerChat(false, budget.messages)),
        ...(await oldestPerChat(true, budget.edits)),
      ];
      if (candidates.length === 0) return [];
      const locked = await tx
        .select({ id: outbox.id })
        .from(outbox)
        .where(
          and(
            inArray(
              outbox.id,
              candidates.map((row) => row.id),
            ),
            dueFilter,
          ),
        )
        .for('update', { skipLocked: true });
      if (locked.length === 0) return [];
      const claimed = await tx
        .update(outbox)
        .set({
          status: 'sending',
          leaseUntil: new Date(at.getTime() + leaseMs),
          attempts: sql`${outbox.attempts} + 1`,
        })
        .where(
          inArray(
            outbox.id,
            locked.map((row) => row.id),
          ),
        )
        .returning();
      const messages = claimed.filter((row) => !isEdit(row.kind));
      await budget.spend(
        { messages: messages.length, edits: claimed.length - messages.length },
        messages.map((row) => row.chatId),
      );
      return claimed;
    });
  }

  async function send(row: OutboxRow, invoice: InvoiceRow): Promise<Outcome> {
    const facts = row.payload as PaymentFacts;
    if (isEdit(row.kind)) {
      const cardMessageId = invoice.cardMessageId ?? row.targetMessageId;
      if (cardMessageId === null) {
        return { status: 'skipped', note: 'the invoice card was never recorded; nothing to edit' };
      }
      const card = renderClosedCard({ ...invoice, status: facts.status });
      await api.editMessageText(invoice.chatId, cardMessageId, card.text, { parse_mode: 'HTML' });
      return { status: 'sent' };
    }
    const reply = renderPaymentReply(row.kind, invoice, facts);
    await api.sendMessage(invoice.chatId, reply.text, {
      parse_mode: 'HTML',
      // The /pay message may have been deleted; the confirmation must arrive regardless.
      reply_parameters: { message_id: invoice.payMessageId, allow_sending_without_reply: true },
      link_preview_options: { is_disabled: true },
    });
    return { status: 'sent' };
  }

  async function migrateChat(oldChatId: number, newChatId: number): Promise<void> {
    await db.transaction(async (tx) => {
      await tx.update(invoices).set({ chatId: newChatId }).where(eq(invoices.chatId, oldChatId));
      await tx.update(outbox).set({ chatId: newChatId }).where(eq(outbox.chatId, oldChatId));
    });
    logger.info({ oldChatId, newChatId }, 'chat migrated to a supergroup; invoices moved');
  }

  async function decide(row: OutboxRow, decision: FailureDecision): Promise<Outcome> {
    const at = now().getTime();
    switch (decision.action) {
      case 'done':
        return { status: 'sent', note: decision.reason };
      case 'skip':
        return { status: 'skipped', note: decision.reason };
      case 'fail':
        return { status: 'failed', note: decision.reason };
      case 'wait':
        await pacer.holdChat(db, row.chatId, new Date(at + decision.seconds * 1000));
        return { status: 'pending', note: decision.reason, nextAttemptAt: new Date(at + decision.seconds * 1000) };
      case 'migrate':
        await migrateChat(row.chatId, decision.newChatId);
        return { status: 'pending', note: decision.reason, nextAttemptAt: new Date(at) };
      case 'retry': {
        if (at - row.createdAt.getTime() > maxAgeMs) {
          return { status: 'failed', note: `gave up after ${row.attempts} attempts: ${decision.reason}` };
        }
        return {
          status: 'pending',
          note: decision.reason,
          nextAttemptAt: new Date(at + backoffMs(row.attempts, random)),
        };
      }
    }
  }

  async function deliver(row: OutboxRow): Promise<void> {
    let outcome: Outcome;
    const [invoice] = row.invoiceId
      ? await db.select().from(invoices).where(eq(invoices.id, row.invoiceId)).limit(1)
      : [];
    if (!invoice) {
      outcome = { status: 'failed', note: 'invoice row not found' };
    } else {
      try {
        outcome = await send(row, invoice);
      } catch (error) {
        outcome = await decide(row, classifyTelegramFailure(error));
      }
    }
    const log = { outboxId: row.id, kind: row.kind, chatId: row.chatId, attempts: row.attempts, note: outcome.note };
    if (outcome.status === 'failed') logger.error(log, 'notification failed for good');
    else if (outcome.status === 'pending') logger.warn(log, 'notification will be retried');
    else logger.debug(log, `notification ${outcome.status}`);
    await db
      .update(outbox)
      .set({
        status: outcome.status,
        leaseUntil: null,
        lastError: outcome.status === 'sent' ? null : (outcome.note ?? null),
        nextAttemptAt: outcome.status === 'pending' ? outcome.nextAttemptAt : undefined,
        sentAt: outcome.status === 'sent' ? now() : undefined,
      })
      .where(
        // Only while the lease is still ours: after it lapsed another worker may own the row.
        and(eq(outbox.id, row.id), eq(outbox.status, 'sending'), eq(outbox.leaseUntil, row.leaseUntil ?? new Date(0))),
      );
  }

  async function drainOnce(): Promise<number> {
    const rows = await claim();
    await Promise.all(rows.map((row) => deliver(row)));
    return rows.length;
  }

  /** How long until something could be claimed: a retry coming due, a chat's pacing ending, a lease lapsing. */
  async function msUntilNextDue(): Promise<number> {
    const [row] = await db
      .select({
        at: sql<string | null>`min(case when ${outbox.status} = 'sending' then ${outbox.leaseUntil}
          else greatest(${outbox.nextAttemptAt}, coalesce(${chatThrottle.nextAllowedAt}, ${outbox.nextAttemptAt})) end)`,
      })
      .from(outbox)
      .leftJoin(chatThrottle, eq(chatThrottle.chatId, outbox.chatId))
      .where(inArray(outbox.status, ['pending', 'sending']));
    if (!row?.at) return Number.POSITIVE_INFINITY;
    return new Date(row.at).getTime() - now().getTime();
  }

  /**
   * Claims keep going while sends are in flight: throughput is set by the send budget, not by
   * Telegram's latency. At most `maxInFlight` sends wait on Telegram at once.
   */
  async function runLoop(): Promise<void> {
    while (running) {
      wakeRequested = false;
      if (inFlight.size >= maxInFlight) {
        await Promise.race(inFlight);
        continue;
      }
      let sleepMs = pollIntervalMs;
      try {
        const rows = await claim();
        for (const row of rows) {
          const sending: Promise<void> = deliver(row)
            .catch((error) => logger.error({ err: error, outboxId: row.id }, 'notification processing failed'))
            .finally(() => inFlight.delete(sending));
          inFlight.add(sending);
        }
        if (rows.length > 0) continue;
        // Due now but not claimable means the send budget is empty: it refills one token per 1/rate s.
        sleepMs = Math.min(pollIntervalMs, Math.max(minSleepMs, await msUntilNextDue()));
      } catch (error) {
        logger.error({ err: error }, 'outbox drain failed; will retry');
      }
      if (!running) break;
      if (wakeRequested) continue;
      await new Promise<void>((resolve) => {
        timer = setTimeout(resolve, sleepMs);
        wakeSleeper = resolve;
      });
      wakeSleeper = undefined;
    }
  }

  let wakeSleeper: (() => void) | undefined;

  return {
    drainOnce,
    wake() {
      wakeRequested = true;
      if (wakeSleeper) {
        clearTimeout(timer);
        wakeSleeper();
      }
    },
    start() {
      if (running) return;
      running = true;
      loop = runLoop();
    },
    async stop(timeoutMs = 10_000) {
      running = false;
      clearTimeout(timer);
      wakeSleeper?.();
      if (!loop) return;
      // Sends already handed to Telegram finish and are recorded, so nothing is sent twice after a restart.
      await Promise.race([
        loop.then(() => Promise.all(inFlight)),
        new Promise((resolve) => setTimeout(resolve, timeoutMs).unref()),
      ]);
    },
  };
}
