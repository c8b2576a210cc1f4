import { and, eq, inArray, isNull, lte, or, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { chatThrottle, type OutboxRow, outbox } from '../db/schema.js';
import { CARD_EDIT_KINDS, type CardEditKind, type NotificationKind } from '../db/vocabulary.js';
import type { Pacer } from './pacing.js';

// How the outbox worker takes rows: due, paced per chat, within the shared send budget, under a lease.

/** Edits of a card; their kinds all start with `card_`, which the SQL below and the outbox indexes rely on. */
export const isEdit = (kind: NotificationKind): kind is CardEditKind =>
  (CARD_EDIT_KINDS as readonly string[]).includes(kind);
const isEditKind = sql`starts_with(${outbox.kind}, 'card_')`;

/** Rows claimed, or (when none) how long until the send budget has a token again. */
export interface Claim {
  rows: OutboxRow[];
  retryInMs?: number | undefined;
}

/** The oldest row of each group (`by`), oldest first, at most `limit`. */
function firstPer<T>(rows: T[], by: (row: T) => number | null, limit: number): T[] {
  const seen = new Set<number | null>();
  const picked: T[] = [];
  for (const row of rows) {
    const group = by(row);
    if (group !== null && seen.has(group)) continue;
    seen.add(group);
    picked.push(row);
    if (picked.length === limit) break;
  }
  return picked;
}

export interface OutboxClaimsDeps {
  db: Database;
  pacer: Pacer;
  now: () => Date;
  leaseMs: number;
  batchSize: number;
}

export interface OutboxClaims {
  claim(): Promise<Claim>;
  msUntilNextDue(): Promise<number>;
  /** No row is due and none is being sent, by any process: nothing can reach Telegram until time moves on. */
  isIdle(): Promise<boolean>;
}

export function createOutboxClaims(deps: OutboxClaimsDeps): OutboxClaims {
  const { db, pacer, now, leaseMs, batchSize } = deps;

  /**
   * Takes rows that are due, at most one per chat whose pacing allows a message now, as many as the
   * shared send budget has tokens for. The budget row lock serialises claimers across processes;
   * FOR UPDATE SKIP LOCKED on the rows keeps a claim from touching a row another worker is marking.
   */
  async function claim(): Promise<Claim> {
    const at = now();
    return db.transaction(async (tx) => {
      // A worker that died mid-send leaves 'sending' behind; once its lease lapsed the row is due again.
      await tx
        .update(outbox)
        .set({ status: 'pending' })
        .where(and(eq(outbox.status, 'sending'), lte(outbox.leaseUntil, at)));
      const budget = await pacer.open(tx, at, batchSize);
      const dueFilter = and(eq(outbox.status, 'pending'), lte(outbox.nextAttemptAt, at));
      // Walks the due index from the oldest row and stops early: cost follows the batch, not the backlog.
      const dueRows = (filter: SQL | undefined, limit: number) =>
        tx
          .select({ id: outbox.id, chatId: outbox.chatId, invoiceId: outbox.invoiceId })
          .from(outbox)
          .leftJoin(chatThrottle, eq(chatThrottle.chatId, outbox.chatId))
          .where(and(dueFilter, filter))
          .orderBy(outbox.nextAttemptAt, outbox.id)
          .limit(limit);
      const messages =
        budget.upTo.messages < 1
          ? []
          : // No chat's backlog starves the others.
            firstPer(
              await dueRows(
                and(
                  sql`not ${isEditKind}`,
                  // Chat pacing counts new messages; an edit changes one already there.
                  or(isNull(chatThrottle.nextAllowedAt), lte(chatThrottle.nextAllowedAt, at)),
                ),
                budget.upTo.messages * 8,
              ),
              (row) => row.chatId,
              budget.upTo.messages,
            );
      const edits =
        budget.upTo.edits < 1
          ? []
          : // One edit of a card per claim too: two in one claim would race each other to Telegram.
            firstPer(
              await dueRows(
                and(
                  isEditKind,
                  // One edit of a card at a time: they render the invoice as it is when sent, so the last
                  // one to reach Telegram shows the final state.
                  sql`not exists (select 1 from outbox busy where busy.invoice_id = ${outbox.invoiceId}
                  and busy.status = 'sending' and busy.lease_until > ${at.toISOString()}::timestamptz
                  and starts_with(busy.kind, 'card_'))`,
                  // A card is edited only once it exists: while its new_card row waits (or is being sent, or retried
                  // after a 429), edits of it wait too. A card that failed for good leaves them to be skipped.
                  sql`not exists (select 1 from outbox card where card.invoice_id = ${outbox.invoiceId}
                  and card.kind = 'new_card' and card.status in ('pending', 'sending'))`,
                ),
                budget.upTo.edits * 4,
              ),
              (row) => row.invoiceId,
              budget.upTo.edits,
            );
      const candidates = [...messages, ...edits];
      if (candidates.length === 0) {
        // Out of tokens for the kind that is waiting: nothing can go before the bucket refills.
        const limited = [budget.msUntilMessage, budget.msUntilEdit].filter((ms) => ms > 0);
        return { rows: [], retryInMs: limited.length > 0 ? Math.min(...limited) : undefined };
      }
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
      // How many of them go is decided now, as late as possible: tokens earned while this claim's queries ran count.
      const lockedIds = new Set(locked.map((row) => row.id));
      const allowed = budget.allowNow();
      const taken = [
        ...messages.filter((row) => lockedIds.has(row.id)).slice(0, allowed.messages),
        ...edits.filter((row) => lockedIds.has(row.id)).slice(0, allowed.edits),
      ];
      if (taken.length === 0) return { rows: [] };
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
            taken.map((row) => row.id),
          ),
        )
        .returning();
      const claimedMessages = claimed.filter((row) => !isEdit(row.kind));
      await budget.spend(
        { messages: claimedMessages.length, edits: claimed.length - claimedMessages.length },
        claimedMessages.map((row) => row.chatId),
      );
      // Kind and payload are written together, by the transition or the reminders statement: each row's payload
      // is its kind's (src/db/vocabulary.ts).
      return { rows: claimed as OutboxRow[] };
    });
  }

  /** How long until a row comes due: a retry, a 429 wait, a lapsing lease; 0 when one already is. */
  async function msUntilNextDue(): Promise<number> {
    const [row] = await db
      .select({
        at: sql<string | null>`least(
          (select min(next_attempt_at) from outbox where status = 'pending' and not starts_with(kind, 'card_')),
          (select min(next_attempt_at) from outbox where status = 'pending' and starts_with(kind, 'card_')),
          (select min(lease_until) from outbox where status = 'sending'))`,
      })
      .from(sql`(select 1) as one`);
    if (!row?.at) return Number.POSITIVE_INFINITY;
    return Math.max(0, new Date(row.at).getTime() - now().getTime());
  }

  async function isIdle(): Promise<boolean> {
    const busy = await db
      .select({ id: outbox.id })
      .from(outbox)
      .where(or(eq(outbox.status, 'sending'), and(eq(outbox.status, 'pending'), lte(outbox.nextAttemptAt, now()))))
      .limit(1);
    return busy.length === 0;
  }

  return { claim, msUntilNextDue, isIdle };
}
