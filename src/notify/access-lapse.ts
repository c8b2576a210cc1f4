import { and, eq, inArray, isNotNull, lte, or, type SQL, sql } from 'drizzle-orm';
import { type Api, GrammyError } from 'grammy';
import type { Logger } from 'pino';
import type { Database } from '../db/client.js';
import { type AccessGrantRow, accessGrants, products } from '../db/schema.js';
import type { OutboxWaker } from '../invoices/outbox-waker.js';
import { createGrantRecords } from './access-lapse-records.js';
import { backoffMs, classifyTelegramFailure } from './failures.js';

// Removes members whose paid access ended (plus ACCESS_GRACE_MINUTES), run by the reconciler on every tick, and at
// once for /revoke. A due grant is claimed (`removing`, a lease, FOR UPDATE SKIP LOCKED) so one process removes it
// however many run; a claim whose process died is taken again after its lease. Removal is banChatMember then
// unbanChatMember with only_if_banned (out, yet free to come back by paying); chat administrators, the owner and
// merchants are never removed. Telegram refusing is retried with backoff or recorded, never a crash loop. What the
// member and the merchant are told is an outbox row written with the grant's change (`access_removed` with Buy
// again; `access_rights_lost` once while the bot cannot remove members there), sent by ./access-notices.ts.

const IN_CHAT = new Set(['member', 'restricted']);
const KEPT = new Set(['creator', 'administrator']);
const MAX_ATTEMPTS = 20;

export interface AccessLapseDeps {
  db: Database;
  api: Pick<Api, 'getChatMember' | 'banChatMember' | 'unbanChatMember'>;
  /** Woken after a removal or a lost right queued its message. */
  outbox: OutboxWaker;
  logger: Logger;
  now: () => Date;
  graceMs: number;
  merchantUserIds: readonly number[];
  leaseMs?: number;
  batchSize?: number;
  onRemoved?: () => void;
}

/**
 * How one removal ended: out of the chat, kept (an administrator, the owner, a merchant), not there, to be retried,
 * or renewed meanwhile.
 */
export type RemovalResult = 'removed' | 'kept' | 'not_in_chat' | 'retrying' | 'renewed';

type Outcome =
  | { done: true; note: string; kept?: boolean }
  | { done: false; note: string; retryAt: Date; rightsLost?: boolean };

export interface AccessLapse {
  /** One sweep: claims what is due and removes it; returns how many members were removed. */
  removeLapsed(): Promise<number>;
  /**
   * /revoke and the dashboard's Revoke: the user's active grant of the product ends now and is claimed in the same
   * statement (no sweep can take it in between), then removed at once by the same rules, grace or not; its id and
   * how that went, or undefined when there was no active grant. A refusal leaves it to the sweep's retries.
   */
  revoke(productId: number, userId: number): Promise<{ grantId: number; result: RemovalResult } | undefined>;
  /**
   * Shutting down: the sweep under way finishes the grant in hand and hands the rest of its batch back (their
   * lease ends now), so another replica or the next start removes them at once, not a lease later.
   */
  stop(): void;
}

export function createAccessLapse(deps: AccessLapseDeps): AccessLapse {
  const { db, api, logger, now } = deps;
  const leaseMs = deps.leaseMs ?? 60_000;
  const batchSize = deps.batchSize ?? 20;
  const merchants = new Set(deps.merchantUserIds);
  const records = createGrantRecords(db);
  let stopping = false;

  /** Due grants (or only `only`), claimed for this process under a lease, in one statement. */
  async function claim(only?: SQL): Promise<AccessGrantRow[]> {
    const at = now();
    const cutoff = new Date(at.getTime() - deps.graceMs);
    const due = db
      .select({ id: accessGrants.id })
      .from(accessGrants)
      .where(
        and(
          only,
          or(
            and(eq(accessGrants.state, 'active'), isNotNull(accessGrants.endsAt), lte(accessGrants.endsAt, cutoff)),
            and(eq(accessGrants.state, 'removing'), lte(accessGrants.removalLeaseUntil, at)),
          ),
        ),
      )
      .orderBy(accessGrants.endsAt)
      .limit(batchSize)
      .for('update', { skipLocked: true });
    const claimed = await db
      .update(accessGrants)
      .set({
        state: 'removing',
        removalLeaseUntil: new Date(at.getTime() + leaseMs),
        removalAttempts: sql`${accessGrants.removalAttempts} + 1`,
        updatedAt: at,
      })
      .where(inArray(accessGrants.id, due))
      .returning();
    // RETURNING keeps no order: removed soonest end first, as they were picked.
    return claimed.sort((a, b) => (a.endsAt?.getTime() ?? 0) - (b.endsAt?.getTime() ?? 0) || a.id - b.id);
  }

  /** Each claimed grant's merchant (the product's), read once for the batch: a merchant is never removed. */
  async function merchantsOf(grants: readonly AccessGrantRow[]): Promise<Map<number, number>> {
    const ids = [...new Set(grants.map((grant) => grant.productId))];
    if (ids.length === 0) return new Map();
    const rows = await db
      .select({ id: products.id, merchantUserId: products.merchantUserId })
      .from(products)
      .where(inArray(products.id, ids));
    return new Map(rows.map((row) => [row.id, row.merchantUserId]));
  }

  async function remove(grant: AccessGrantRow, merchantUserId: number): Promise<Outcome> {
    if (merchants.has(grant.userId) || grant.userId === merchantUserId) {
      return { done: true, note: 'a merchant: kept', kept: true };
    }
    const member = await api.getChatMember(grant.chatId, grant.userId);
    if (KEPT.has(member.status)) return { done: true, note: `${member.status}: kept`, kept: true };
    if (IN_CHAT.has(member.status)) await api.banChatMember(grant.chatId, grant.userId);
    if (IN_CHAT.has(member.status) || member.status === 'kicked') {
      await api.unbanChatMember(grant.chatId, grant.userId, { only_if_banned: true });
      return { done: true, note: 'removed' };
    }
    return { done: true, note: 'not in the chat' };
  }

  function failure(grant: AccessGrantRow, error: unknown): Outcome {
    const at = now().getTime();
    // Telegram's own answers as every send reads them (./failures.ts); what a removal adds is below.
    const decision = classifyTelegramFailure(error);
    const note = decision.reason;
    if (decision.action === 'wait') return { done: false, note, retryAt: new Date(at + decision.seconds * 1000) };
    if (error instanceof GrammyError) {
      const text = error.description;
      if (/user not found|PARTICIPANT_ID_INVALID|USER_NOT_PARTICIPANT/i.test(text)) return { done: true, note };
      if (/not enough rights|CHAT_ADMIN_REQUIRED|bot was kicked|chat not found|have no rights/i.test(text)) {
        return { done: false, note, retryAt: new Date(at + 60 * 60_000), rightsLost: true };
      }
    }
    if (grant.removalAttempts >= MAX_ATTEMPTS) return { done: true, note: `gave up: ${note}` };
    return {
      done: false,
      note,
      retryAt: new Date(at + backoffMs(grant.removalAttempts + 1, Math.random, 60 * 60_000)),
    };
  }

  async function process(grant: AccessGrantRow, merchantUserId: number | undefined): Promise<RemovalResult> {
    if (merchantUserId === undefined) return 'retrying';
    let outcome: Outcome;
    try {
      outcome = await remove(grant, merchantUserId);
    } catch (error) {
      outcome = failure(grant, error);
    }
    const log = { grantId: grant.id, chatId: grant.chatId, userId: grant.userId, note: outcome.note };
    if (!outcome.done) {
      logger.warn(log, 'access removal will be retried');
      const told = await records.holdBack(grant, { ...outcome, at: now() });
      if (told) {
        logger.warn(log, 'the bot lost its rights there; the merchant is told');
        deps.outbox.wake();
      }
      return 'retrying';
    }
    const removed = outcome.note === 'removed';
    const marked = await records.markDone(grant, { removed, note: outcome.note, at: now() });
    if (marked && removed) {
      deps.onRemoved?.();
      deps.outbox.wake();
    }
    logger.info(log, marked ? 'access ended' : 'access renewed during its removal');
    if (!marked) return 'renewed';
    return removed ? 'removed' : outcome.kept ? 'kept' : 'not_in_chat';
  }

  return {
    async removeLapsed() {
      let removed = 0;
      const claimed = await claim();
      const merchantOf = await merchantsOf(claimed);
      for (const [i, grant] of claimed.entries()) {
        if (stopping) {
          await records.release(claimed.slice(i), now());
          break;
        }
        // Its lease lapsed while the ones before it were removed (each is up to three Telegram calls): another
        // process may hold it now, so it is left to that one.
        if (grant.removalLeaseUntil !== null && grant.removalLeaseUntil <= now()) continue;
        if ((await process(grant, merchantOf.get(grant.productId))) === 'removed') removed++;
      }
      return removed;
    },
    stop() {
      stopping = true;
    },

    async revoke(productId, userId) {
      const at = now();
      const ended = await db
        .update(accessGrants)
        .set({
          endsAt: at,
          state: 'removing',
          removalLeaseUntil: new Date(at.getTime() + leaseMs),
          removalAttempts: 1,
          updatedAt: at,
        })
        .where(
          and(eq(accessGrants.productId, productId), eq(accessGrants.userId, userId), eq(accessGrants.state, 'active')),
        )
        .returning();
      const [first] = ended;
      if (!first) return undefined;
      const merchantOf = await merchantsOf(ended);
      // One grant per (product, user, chat): more than one only when the product's chat changed since.
      const results: RemovalResult[] = [];
      for (const grant of ended) results.push(await process(grant, merchantOf.get(grant.productId)));
      return { grantId: first.id, result: results[0] as RemovalResult };
    },
  };
}
