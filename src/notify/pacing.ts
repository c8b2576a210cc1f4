import { eq, sql } from 'drizzle-orm';
import type { Database, Transaction } from '../db/client.js';
import { chatThrottle, sendBudget } from '../db/schema.js';

// Telegram's limits, respected up front instead of discovered through 429s: about 30 messages a
// second overall, one a second into a private chat, 20 a minute into a group. The budget lives in
// Postgres so every process on the database shares it.

export interface PacingOptions {
  /** Sustained sends per second across all processes. */
  perSecond: number;
  /** Tokens that may accumulate while idle; small, so a burst stays near the rate. */
  burst: number;
  privateChatIntervalMs: number;
  groupChatIntervalMs: number;
}

export const DEFAULT_PACING: PacingOptions = {
  perSecond: 30,
  burst: 5,
  privateChatIntervalMs: 1000,
  groupChatIntervalMs: 3000,
};

export interface OpenBudget {
  /** Whole sends the budget allows now (at most the asked maximum). */
  available: number;
  /** Records `sends` calls now and paces each chat that got a new message. */
  spend(sends: number, messagedChatIds: number[]): Promise<void>;
}

export interface Pacer {
  /** Locks the shared budget row for the rest of `tx`. */
  open(tx: Transaction, at: Date, max: number): Promise<OpenBudget>;
  /** Telegram said "retry after": nothing more to that chat until then. */
  holdChat(db: Database, chatId: number, until: Date): Promise<void>;
  intervalFor(chatId: number): number;
}

const BUDGET_ROW = 1;

export function createPacer(options: Partial<PacingOptions> = {}): Pacer {
  const pacing = { ...DEFAULT_PACING, ...options };
  const intervalFor = (chatId: number) => (chatId < 0 ? pacing.groupChatIntervalMs : pacing.privateChatIntervalMs);

  return {
    intervalFor,

    async open(tx, at, max) {
      await tx
        .insert(sendBudget)
        .values({ id: BUDGET_ROW, tokens: pacing.burst, refilledAt: at })
        .onConflictDoNothing({ target: sendBudget.id });
      const [row] = await tx.select().from(sendBudget).where(eq(sendBudget.id, BUDGET_ROW)).for('update');
      const elapsedSeconds = Math.max(0, (at.getTime() - (row?.refilledAt.getTime() ?? at.getTime())) / 1000);
      const tokens = Math.min(pacing.burst, (row?.tokens ?? pacing.burst) + elapsedSeconds * pacing.perSecond);
      return {
        available: Math.min(max, Math.floor(tokens)),
        async spend(sends, chatIds) {
          if (sends === 0) return;
          await tx
            .update(sendBudget)
            .set({ tokens: tokens - sends, refilledAt: at })
            .where(eq(sendBudget.id, BUDGET_ROW));
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
