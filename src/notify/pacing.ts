import { sql } from 'drizzle-orm';
import type { Database, Transaction } from '../db/client.js';
import { type FixedStatement, fixedStatement, toDate } from '../db/fixed-statement.js';
import { chatThrottle, sendBudget } from '../db/schema.js';

// Telegram's limits, respected up front instead of discovered through 429s: about 30 messages a
// second overall, one a second into a private chat, 20 a minute into a group. The budget lives in
// Postgres so every process on the database shares it.

export interface PacingOptions {
  /** Sustained sends per second across all processes. */
  perSecond: number;
  /** Tokens that may accumulate while idle. Any one second sees at most burst + perSecond sends. */
  burst: number;
  privateChatIntervalMs: number;
  groupChatIntervalMs: number;
}

export const DEFAULT_PACING: PacingOptions = {
  perSecond: 30,
  burst: 1,
  privateChatIntervalMs: 1100,
  groupChatIntervalMs: 3100,
};

export interface OpenBudget {
  /** Whole new messages the budget allows at open (at most the asked maximum). */
  messages: number;
  /** Whole edits of existing messages the budget allows at open. */
  edits: number;
  /**
   * The most a claim should look for: what the bucket can hold by the time the claim spends (its burst, at most the
   * asked maximum), or 0 when not even one token is there at open.
   */
  upTo: { messages: number; edits: number };
  /** How long until the next whole message / edit token (0 when one is there). */
  msUntilMessage: number;
  msUntilEdit: number;
  /**
   * Whole tokens at this instant, at least those at open: what the claim may take, decided as late as possible so
   * the time its own queries took counts. `spend` records the sends at this same instant.
   */
  allowNow(): { messages: number; edits: number };
  /** Records the sends claimed (at the `allowNow` instant) and paces each chat that gets a new message. */
  spend(sent: { messages: number; edits: number }, messagedChatIds: number[]): Promise<void>;
  /**
   * The same record as `spend`, as values for `SPEND_CTES` in the caller's own statement: the claim writes its rows
   * and the budget in one round trip.
   */
  spending(sent: { messages: number; edits: number }, messagedChatIds: number[]): Record<SpendParameter, unknown>;
}

/** CTEs the caller runs in the round trip that locks the budget (named parameters, ./fixed-statement.ts). */
export interface Alongside {
  ctes: string;
  values: Record<string, unknown>;
}

export interface Pacer {
  /** Locks the shared budget rows for the rest of `tx`; `alongside` runs in the same statement. */
  open(tx: Transaction, at: Date, max: number, alongside?: Alongside): Promise<OpenBudget>;
  /** Telegram said "retry after": nothing more to that chat until then. */
  holdChat(db: Database, chatId: number, until: Date): Promise<void>;
}

/** Telegram's limits as configured (TELEGRAM_MAX_PER_SECOND and the per-chat intervals). */
export interface TelegramLimits {
  perSecond: number;
  privateChatIntervalMs: number;
  groupChatIntervalMs: number;
}

/**
 * The outbox worker's pacing for Telegram's `max` per second: a bucket of two refilled at max - 3 per second. No
 * one-second window sees more than max - 1 at claim time; the spare token absorbs the loop's own scheduling delays.
 * Between claiming and leaving, sends can bunch (a busy loop delays some more than others): the outbox's client
 * lets at most max - 2 leave in any second (src/telegram/send-spacing.ts), leaving two of room on the way.
 */
export function outboxPacing(limits: TelegramLimits): PacingOptions {
  return {
    ...limits,
    perSecond: Math.max(1, limits.perSecond - 3),
    burst: Math.min(2, limits.perSecond),
  };
}

// Telegram documents its limits for messages; edits are limited separately and less strictly, so
// they get a bucket of their own at the same rate instead of halving the message rate.
const MESSAGES = 1;
const EDITS = 2;

const LOCK_BUDGET = `select id, tokens, refilled_at from send_budget where id in (${MESSAGES}, ${EDITS}) order by id
  for update`;

export const SPEND_PARAMETERS = ['spentAt', 'tokensLeft', 'pacedChats', 'pacedUntil'] as const;
export type SpendParameter = (typeof SPEND_PARAMETERS)[number];

/**
 * What `spend` writes, as CTEs for a statement of the caller's (`spending` gives their values): both buckets as left at
 * the spend instant, and each chat that got a new message paced from the domain clock.
 */
export const SPEND_CTES = `
  budget_spent as (
    update send_budget b set tokens = s.tokens, refilled_at = $spentAt::timestamptz
    from unnest(array[${MESSAGES}, ${EDITS}], $tokensLeft::float8[]) as s(id, tokens)
    where b.id = s.id
  ),
  chats_paced as (
    insert into chat_throttle (chat_id, next_allowed_at)
    -- As text[]: drizzle's postgres.js setup passes timestamptz[] parameters through unserialised.
    select chat_id, until::timestamptz from unnest($pacedChats::bigint[], $pacedUntil::text[]) as p(chat_id, until)
    on conflict (chat_id) do update set next_allowed_at = excluded.next_allowed_at
  )`;
const SPEND = fixedStatement(`with ${SPEND_CTES} select 1`, SPEND_PARAMETERS);

export function createPacer(options: Partial<PacingOptions> = {}, wallClock: () => number = Date.now): Pacer {
  const pacing = { ...DEFAULT_PACING, ...options };
  const intervalFor = (chatId: number) => (chatId < 0 ? pacing.groupChatIntervalMs : pacing.privateChatIntervalMs);
  let seeded = false;
  // The lock statement with each caller's CTEs (the claim has one set): built once, its text fixed.
  const lockStatements = new Map<string, FixedStatement<string>>();
  const lockStatement = (alongside: Alongside | undefined) => {
    const ctes = alongside?.ctes ?? '';
    let statement = lockStatements.get(ctes);
    if (!statement) {
      statement = fixedStatement(
        alongside ? `with ${ctes} ${LOCK_BUDGET}` : LOCK_BUDGET,
        Object.keys(alongside?.values ?? {}),
      );
      lockStatements.set(ctes, statement);
    }
    return statement;
  };

  return {
    async open(tx, at, max, alongside) {
      // Telegram's limits are in physical time: the bucket runs on the wall clock, while chat pacing
      // follows the domain clock `at` like every other due time in the outbox.
      const wall = new Date(wallClock());
      if (!seeded) {
        // Once per process, in a statement of its own: rows another process inserts meanwhile are seen by the lock
        // below, which a statement of both would not (one snapshot).
        await tx
          .insert(sendBudget)
          .values([MESSAGES, EDITS].map((id) => ({ id, tokens: pacing.burst, refilledAt: wall })))
          .onConflictDoNothing({ target: sendBudget.id });
        seeded = true;
      }
      const rows = (await lockStatement(alongside).run(tx, alongside?.values ?? {})).map((row) => ({
        id: Number(row.id),
        tokens: Number(row.tokens),
        refilledAt: toDate(row.refilled_at),
      }));
      // Another process may have refilled with a later clock reading than ours: time never goes back,
      // or tokens would be handed out twice.
      const refilledAt = new Date(Math.max(wall.getTime(), ...rows.map((r) => r.refilledAt.getTime())));
      const tokensAt = (id: number, atMs: number) => {
        const row = rows.find((r) => r.id === id);
        if (!row) return pacing.burst;
        const elapsedSeconds = Math.max(0, (atMs - row.refilledAt.getTime()) / 1000);
        return Math.min(pacing.burst, row.tokens + elapsedSeconds * pacing.perSecond);
      };
      const messageTokens = tokensAt(MESSAGES, wall.getTime());
      const editTokens = tokensAt(EDITS, wall.getTime());
      const msUntilToken = (tokensNow: number) =>
        tokensNow >= 1 ? 0 : Math.ceil(((1 - tokensNow) / pacing.perSecond) * 1000);
      const upTo = (tokensNow: number) => (tokensNow < 1 ? 0 : Math.min(max, Math.floor(pacing.burst)));
      // Never earlier than `refilledAt`, so time never goes back.
      const instant = () => Math.max(refilledAt.getTime(), wallClock());
      let decidedAt: number | undefined;
      const spending = (sent: { messages: number; edits: number }, chatIds: number[]) => {
        // The sends happen as the claim commits, so the bucket records them then, not when it was opened: stamped
        // at open, a claim slowed down by load sent late while the next claimer was already refilled for that
        // time, and the two claims' messages reached Telegram together (two replicas under a webhook burst got
        // 429s). How many it may send is decided at that same late instant (allowNow), with the tokens earned
        // while its queries ran: decided at open, every claim lost that time, or the tokens beyond the burst it
        // earned meanwhile (~20% of the rate under load).
        const spentAt = decidedAt ?? instant();
        return {
          spentAt: new Date(spentAt).toISOString(),
          tokensLeft: [
            Math.max(0, tokensAt(MESSAGES, spentAt) - sent.messages),
            Math.max(0, tokensAt(EDITS, spentAt) - sent.edits),
          ],
          pacedChats: chatIds,
          pacedUntil: chatIds.map((chatId) => new Date(at.getTime() + intervalFor(chatId)).toISOString()),
        } satisfies Record<SpendParameter, unknown>;
      };
      return {
        messages: Math.min(max, Math.floor(messageTokens)),
        edits: Math.min(max, Math.floor(editTokens)),
        upTo: { messages: upTo(messageTokens), edits: upTo(editTokens) },
        msUntilMessage: msUntilToken(messageTokens),
        msUntilEdit: msUntilToken(editTokens),
        allowNow() {
          decidedAt = instant();
          return {
            messages: Math.min(max, Math.floor(tokensAt(MESSAGES, decidedAt))),
            edits: Math.min(max, Math.floor(tokensAt(EDITS, decidedAt))),
          };
        },
        spending,
        async spend(sent, chatIds) {
          if (sent.messages + sent.edits === 0) return;
          await SPEND.run(tx, spending(sent, chatIds));
        },
      };
    },

    async holdChat(db, chatId, until) {
      await db
        .insert(chatThrottle)
        .values({ chatId, nextAllowedAt: until })
        .onConflictDoUpdate({
          target: chatThrottle.chatId,
          set: { nextAllowedAt: sql`greatest(${chatThrottle.nextAllowedAt}, excluded.next_allowed_at)` },
        });
    },
  };
}
