import { and, eq, lte, or, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { type OutboxRow, outbox } from '../db/schema.js';
import {
  CARD_EDIT_KINDS,
  type CardEditKind,
  type NotificationKind,
  type NotificationPayload,
  type OutboxStatus,
} from '../db/vocabulary.js';
import { fixedStatement, type Row, toDate, toDateOrNull, toNumberOrNull } from './fixed-statement.js';
import { type Pacer, SPEND_CTES, SPEND_PARAMETERS } from './pacing.js';

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

// A claim is five round trips (eleven before), and on a busy event loop each waits a turn of it: BEGIN; the budget
// lock (with the lapsed-lease reset); the due rows (with their locks); the claim (with the spend); COMMIT.

/** A worker that died mid-send leaves 'sending' behind; once its lease lapsed the row is due again. */
const LAPSED_LEASES = `lapsed as (
    update outbox set status = 'pending' where status = 'sending' and lease_until <= $at::timestamptz
  )`;

/**
 * The due rows of both kinds, oldest first, each walking its due index and stopping at its limit (0 when the bucket
 * is empty): cost follows the batch, not the backlog. A statement of its own after the budget lock, so its snapshot
 * sees what the claimer before committed (the chats it paced, the rows it took). Every candidate is locked here
 * (`locked`: FOR UPDATE SKIP LOCKED, as the separate lock statement before did); which of them go is chosen from the
 * candidates as before, so a row locked elsewhere is skipped without its chat's next row taking its place.
 */
const DUE = fixedStatement(
  `with messages as (
    select o.id, o.chat_id, o.invoice_id, o.next_attempt_at, false as is_edit
    from outbox o left join chat_throttle t on t.chat_id = o.chat_id
    where o.status = 'pending' and o.next_attempt_at <= $at::timestamptz and not starts_with(o.kind, 'card_')
      -- Chat pacing counts new messages; an edit changes one already there.
      and (t.next_allowed_at is null or t.next_allowed_at <= $at::timestamptz)
    order by o.next_attempt_at, o.id
    limit $messageLimit::int
  ),
  edits as (
    select o.id, o.chat_id, o.invoice_id, o.next_attempt_at, true as is_edit
    from outbox o
    where o.status = 'pending' and o.next_attempt_at <= $at::timestamptz and starts_with(o.kind, 'card_')
      -- One edit of a card at a time: they render the invoice as it is when sent, so the last one to reach Telegram
      -- shows the final state.
      and not exists (select 1 from outbox busy where busy.invoice_id = o.invoice_id
        and busy.status = 'sending' and busy.lease_until > $at::timestamptz and starts_with(busy.kind, 'card_'))
      -- A card is edited only once it exists: while its new_card row waits (or is being sent, or retried after a
      -- 429), edits of it wait too. A card that failed for good leaves them to be skipped.
      and not exists (select 1 from outbox card where card.invoice_id = o.invoice_id
        and card.kind = 'new_card' and card.status in ('pending', 'sending'))
    order by o.next_attempt_at, o.id
    limit $editLimit::int
  ),
  due as (select * from messages union all select * from edits),
  locked as (
    select o.id from outbox o
    where o.id in (select id from due) and o.status = 'pending' and o.next_attempt_at <= $at::timestamptz
    for update skip locked
  )
  select d.id, d.chat_id, d.invoice_id, d.is_edit, l.id is not null as locked
  from due d left join locked l on l.id = d.id
  order by d.is_edit, d.next_attempt_at, d.id`,
  ['at', 'messageLimit', 'editLimit'],
);

/** Takes the rows chosen (all locked by this transaction) and records their sends in the budget, in one statement. */
const TAKE = fixedStatement(
  `with claimed as (
    update outbox set status = 'sending', lease_until = $leaseUntil::timestamptz, attempts = attempts + 1
    where id = any($ids::bigint[])
    returning id, dedupe_key, kind, invoice_id, chat_id, target_message_id, payload, status, attempts,
      next_attempt_at, lease_until, last_error, created_at, sent_at
  ), ${SPEND_CTES}
  select * from claimed order by id`,
  ['leaseUntil', 'ids', ...SPEND_PARAMETERS],
);

interface Candidate {
  id: number;
  chatId: number;
  invoiceId: number | null;
  isEdit: boolean;
  locked: boolean;
}

/** A row as TAKE returns it, typed as the schema says (a column the schema gains fails typecheck here). */
function toOutboxRow(row: Row): OutboxRow {
  const typed: typeof outbox.$inferSelect = {
    id: Number(row.id),
    dedupeKey: String(row.dedupe_key),
    kind: row.kind as NotificationKind,
    invoiceId: toNumberOrNull(row.invoice_id),
    chatId: Number(row.chat_id),
    targetMessageId: toNumberOrNull(row.target_message_id),
    payload: (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as NotificationPayload,
    status: row.status as OutboxStatus,
    attempts: Number(row.attempts),
    nextAttemptAt: toDate(row.next_attempt_at),
    leaseUntil: toDateOrNull(row.lease_until),
    lastError: row.last_error === null ? null : String(row.last_error),
    createdAt: toDate(row.created_at),
    sentAt: toDateOrNull(row.sent_at),
  };
  // Kind and payload are written together, by the transition or the reminders statement: each row's payload is its
  // kind's (src/db/vocabulary.ts).
  return typed as OutboxRow;
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
      ).map(toOutboxRow);
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
