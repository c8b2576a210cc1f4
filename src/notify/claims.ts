import { and, eq, lte, or, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { rowOf, toNumberOrNull } from '../db/fixed-statement.js';
import { type OutboxRow, outbox } from '../db/schema.js';
import { CARD_EDIT_KINDS, type CardEditKind, type NotificationKind } from '../db/vocabulary.js';
import { type Candidate, DUE, LAPSED_LEASES, TAKE } from './claim-statements.js';
import type { Pacer } from './pacing.js';

// How the outbox worker takes rows: due, paced per chat, within the shared send budget, under a lease.

/** Edits of a card; their kinds all start with `card_`, which the SQL below and the outbox indexes rely on. */
export const isEdit = (kind: NotificationKind): kind is CardEditKind =>
  (CARD_EDIT_KINDS as readonly string[]).includes(kind);

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
      const budget = await pacer.open(tx, at, batchSize, { ctes: LAPSED_LEASES, values: { at: at.toISOString() } });
      const messageLimit = budget.upTo.messages * 8;
      const editLimit = budget.upTo.edits * 4;
      const due: Candidate[] =
        messageLimit + editLimit === 0
          ? []
          : (await DUE.run(tx, { at: at.toISOString(), messageLimit, editLimit })).map((row) => ({
              id: Number(row.id),
              chatId: Number(row.chat_id),
              invoiceId: toNumberOrNull(row.invoice_id),
              isEdit: row.is_edit === true,
              locked: row.locked === true,
            }));
      // No chat's backlog starves the others.
      const messages = firstPer(
        due.filter((row) => !row.isEdit),
        (row) => row.chatId,
        budget.upTo.messages,
      );
      // One edit of a card per claim too: two in one claim would race each other to Telegram.
      const edits = firstPer(
        due.filter((row) => row.isEdit),
        (row) => row.invoiceId,
        budget.upTo.edits,
      );
      if (messages.length + edits.length === 0) {
        // Out of tokens for the kind that is waiting: nothing can go before the bucket refills.
        const limited = [budget.msUntilMessage, budget.msUntilEdit].filter((ms) => ms > 0);
        return { rows: [], retryInMs: limited.length > 0 ? Math.min(...limited) : undefined };
      }
      // How many of them go is decided now, as late as possible: tokens earned while this claim's queries ran count.
      const allowed = budget.allowNow();
      const takenMessages = messages.filter((row) => row.locked).slice(0, allowed.messages);
      const takenEdits = edits.filter((row) => row.locked).slice(0, allowed.edits);
      const taken = [...takenMessages, ...takenEdits];
      if (taken.length === 0) return { rows: [] };
      const claimed = (
        await TAKE.run(tx, {
          leaseUntil: new Date(at.getTime() + leaseMs).toISOString(),
          ids: taken.map((row) => row.id),
          ...budget.spending(
            { messages: takenMessages.length, edits: takenEdits.length },
            takenMessages.map((row) => row.chatId),
          ),
        })
      )
        // Kind and payload are written together (the transition, the reminders statement): each row's payload is its
        // kind's (src/db/vocabulary.ts).
        .map((raw) => rowOf(outbox, raw) as OutboxRow);
      // The spend counted `taken`, so every one of them must have been claimed: they are locked by this transaction.
      if (claimed.length !== taken.length) {
        throw new Error(`claimed ${claimed.length} of ${taken.length} locked outbox rows`);
      }
      return { rows: claimed };
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
