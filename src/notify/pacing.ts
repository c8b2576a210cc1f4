import { eq, inArray, sql } from 'drizzle-orm';
import type { Database, Transaction } from '../db/client.js';
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
}

export interface Pacer {
  /** Locks the shared budget rows for the rest of `tx`. */
  open(tx: Transaction, at: Date, max: number): Promise<OpenBudget>;
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
 * one-second window sees more than max - 1 at claim time, leaving one message of room for the jitter between
 * claiming and reaching Telegram; the spare token absorbs the loop's own scheduling delays.
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

export function createPacer(options: Partial<PacingOptions> = {}, wallClock: () => number = Date.now): Pacer {
  const pacing = { ...DEFAULT_PACING, ...options };
  const intervalFor = (chatId: number) => (chatId < 0 ? pacing.groupChatIntervalMs : pacing.privateChatIntervalMs);
  let seeded = false;

  return {
    async open(tx, at, max) {
      // Telegram's limits are in physical time: the bucket runs on the wall clock, while chat pacing
      // follows the domain clock `at` like every other due time in the outbox.
      const wall = new Date(wallClock());
      if (!seeded) {
        await tx
          .insert(sendBudget)
          .values([MESSAGES, EDITS].map((id) => ({ id, tokens: pacing.burst, refilledAt: wall })))
          .onConflictDoNothing({ target: sendBudget.id });
        seeded = true;
      }
      const rows = await tx
        .select()
        .from(sendBudget)
        .where(inArray(sendBudget.id, [MESSAGES, EDITS]))
        .orderBy(sendBudget.id)
        .for('update');
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
        async spend(sent, chatIds) {
          if (sent.messages + sent.edits === 0) return;
          // The sends happen as the claim commits, so the bucket records them then, not when it was opened: stamped
          // at open, a claim slowed down by load sent late while the next claimer was already refilled for that
          // time, and the two claims' messages reached Telegram together (two replicas under a webhook burst got
          // 429s). How many it may send is decided at that same late instant (allowNow), with the tokens earned
          // while its queries ran: decided at open, every claim lost that time, or the tokens beyond the burst it
          // earned meanwhile (~20% of the rate under load).
          const spentAt = decidedAt ?? instant();
          for (const [id, left] of [
            [MESSAGES, tokensAt(MESSAGES, spentAt) - sent.messages],
            [EDITS, tokensAt(EDITS, spentAt) - sent.edits],
          ] as const) {
            await tx
              .update(sendBudget)
              .set({ tokens: Math.max(0, left), refilledAt: new Date(spentAt) })
              .where(eq(sendBudget.id, id));
          }
          if (chatIds.length === 0) return;
          await tx
            .insert(chatThrottle)
            .values(chatIds.map((chatId) => ({ chatId, nextAllowedAt: new Date(at.getTime() + intervalFor(chatId)) })))
            .onConflictDoUpdate({
              target: chatThrottle.chatId,
              set: { nextAllowedAt: sql`excluded.next_allowed_at` },
            });
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
