import { and, desc, eq, inArray, isNotNull, lte, or, sql } from 'drizzle-orm';
import { type Api, GrammyError } from 'grammy';
import type { Logger } from 'pino';
import { grantLocale } from '../access/grants.js';
import type { Database } from '../db/client.js';
import { type AccessGrantRow, accessExtensions, accessGrants, invoices, products } from '../db/schema.js';
import type { Translator } from '../i18n/index.js';
import { renderAccessEnded, renderAccessRightsLost } from '../views/access.js';
import { productLink } from '../views/product.js';

// Removes members whose paid access ended (plus ACCESS_GRACE_MINUTES), run by the reconciler on every tick. A due
// grant is claimed (`removing`, a lease, FOR UPDATE SKIP LOCKED) so one process removes it however many run; a
// claim whose process died is taken again after its lease. Removal is banChatMember then unbanChatMember with
// only_if_banned (out, yet free to come back by paying); chat administrators, the owner and merchants are never
// removed. Telegram refusing is retried with backoff or recorded, never a crash loop; a lost right is told to the
// product's merchant once per grant. The member is told why, with a button to buy again.

const IN_CHAT = new Set(['member', 'restricted']);
const KEPT = new Set(['creator', 'administrator']);
const MAX_ATTEMPTS = 20;

export interface AccessLapseDeps {
  db: Database;
  api: Pick<Api, 'getChatMember' | 'banChatMember' | 'unbanChatMember' | 'sendMessage'>;
  translator: Translator;
  logger: Logger;
  now: () => Date;
  graceMs: number;
  botUsername: string;
  merchantUserIds: readonly number[];
  leaseMs?: number;
  batchSize?: number;
  onRemoved?: () => void;
}

type Outcome = { done: true; note: string } | { done: false; note: string; retryAt: Date; rightsLost?: boolean };

export function createAccessLapse(deps: AccessLapseDeps) {
  const { db, api, logger, now } = deps;
  const leaseMs = deps.leaseMs ?? 60_000;
  const batchSize = deps.batchSize ?? 20;
  const merchants = new Set(deps.merchantUserIds);

  async function claim(): Promise<AccessGrantRow[]> {
    const at = now();
    const cutoff = new Date(at.getTime() - deps.graceMs);
    return db.transaction(async (tx) => {
      const due = await tx
        .select({ id: accessGrants.id })
        .from(accessGrants)
        .where(
          or(
            and(eq(accessGrants.state, 'active'), isNotNull(accessGrants.endsAt), lte(accessGrants.endsAt, cutoff)),
            and(eq(accessGrants.state, 'removing'), lte(accessGrants.removalLeaseUntil, at)),
          ),
        )
        .orderBy(accessGrants.endsAt)
        .limit(batchSize)
        .for('update', { skipLocked: true });
      if (due.length === 0) return [];
      return tx
        .update(accessGrants)
        .set({
          state: 'removing',
          removalLeaseUntil: new Date(at.getTime() + leaseMs),
          removalAttempts: sql`${accessGrants.removalAttempts} + 1`,
          updatedAt: at,
        })
        .where(
          inArray(
            accessGrants.id,
            due.map((row) => row.id),
          ),
        )
        .returning();
    });
  }

  /** Still ours: claimed with this lease and not renewed (a payment makes it active again) meanwhile. */
  const ours = (grant: AccessGrantRow) =>
    and(
      eq(accessGrants.id, grant.id),
      eq(accessGrants.state, 'removing'),
      eq(accessGrants.removalLeaseUntil, grant.removalLeaseUntil ?? new Date(0)),
    );

  async function remove(grant: AccessGrantRow, merchantUserId: number): Promise<Outcome> {
    if (merchants.has(grant.userId) || grant.userId === merchantUserId) return { done: true, note: 'a merchant: kept' };
    const member = await api.getChatMember(grant.chatId, grant.userId);
    if (KEPT.has(member.status)) return { done: true, note: `${member.status}: kept` };
    if (IN_CHAT.has(member.status)) await api.banChatMember(grant.chatId, grant.userId);
    if (IN_CHAT.has(member.status) || member.status === 'kicked') {
      await api.unbanChatMember(grant.chatId, grant.userId, { only_if_banned: true });
      return { done: true, note: 'removed' };
    }
    return { done: true, note: 'not in the chat' };
  }

  function failure(grant: AccessGrantRow, error: unknown): Outcome {
    const at = now().getTime();
    if (error instanceof GrammyError) {
      const text = error.description;
      if (error.error_code === 429) {
        const seconds = error.parameters.retry_after ?? 5;
        return { done: false, note: text, retryAt: new Date(at + seconds * 1000) };
      }
      if (/user not found|PARTICIPANT_ID_INVALID|USER_NOT_PARTICIPANT/i.test(text)) return { done: true, note: text };
      if (/not enough rights|CHAT_ADMIN_REQUIRED|bot was kicked|chat not found|have no rights/i.test(text)) {
        return { done: false, note: text, retryAt: new Date(at + 60 * 60_000), rightsLost: true };
      }
    }
    const note = error instanceof Error ? error.message : String(error);
    if (grant.removalAttempts >= MAX_ATTEMPTS) return { done: true, note: `gave up: ${note}` };
    const backoff = Math.min(60 * 60_000, 2 ** grant.removalAttempts * 1000);
    return { done: false, note, retryAt: new Date(at + backoff) };
  }

  async function process(grant: AccessGrantRow): Promise<boolean> {
    const [product] = await db.select().from(products).where(eq(products.id, grant.productId)).limit(1);
    if (!product) return false;
    let outcome: Outcome;
    try {
      outcome = await remove(grant, product.merchantUserId);
    } catch (error) {
      outcome = failure(grant, error);
    }
    const log = { grantId: grant.id, chatId: grant.chatId, userId: grant.userId, note: outcome.note };
    if (!outcome.done) {
      logger.warn(log, 'access removal will be retried');
      const [updated] = await db
        .update(accessGrants)
        .set({ removalLeaseUntil: outcome.retryAt, removalError: outcome.note, updatedAt: now() })
        .where(ours(grant))
        .returning({ id: accessGrants.id });
      // The merchant hears once per grant that the bot can no longer remove members there.
      if (updated && outcome.rightsLost && grant.removalError === null) {
        const t = deps.translator.forLocale(product.locale);
        const text = renderAccessRightsLost(t, { title: product.accessChatTitle, id: grant.chatId });
        await api.sendMessage(product.merchantUserId, text).catch((error: unknown) => {
          logger.warn({ ...log, err: error }, 'could not tell the merchant about lost rights');
        });
      }
      return false;
    }
    const removed = outcome.note === 'removed';
    if (removed) {
      const t = deps.translator.forLocale(await grantLocale(db, grant.id));
      const message = renderAccessEnded(
        t,
        { title: product.accessChatTitle, id: grant.chatId },
        product.state === 'active' ? productLink(deps.botUsername, product.code) : null,
      );
      // Before the grant is marked: a crash in between tells them twice at most, never not at all.
      await api
        .sendMessage(grant.userId, message.text, {
          ...(message.replyMarkup && { reply_markup: message.replyMarkup }),
          link_preview_options: { is_disabled: true },
        })
        .catch((error: unknown) => logger.info({ ...log, err: error }, 'could not tell the member their access ended'));
    }
    const [marked] = await db
      .update(accessGrants)
      .set({
        state: 'removed',
        removedAt: now(),
        removalLeaseUntil: null,
        removalError: removed ? null : outcome.note,
        updatedAt: now(),
      })
      .where(ours(grant))
      .returning({ id: accessGrants.id });
    if (marked && removed) deps.onRemoved?.();
    logger.info(log, marked ? 'access ended' : 'access renewed during its removal');
    return marked !== undefined && removed;
  }

  return {
    /** One sweep: claims what is due and removes it; returns how many members were removed. */
    async removeLapsed(): Promise<number> {
      let removed = 0;
      for (const grant of await claim()) if (await process(grant)) removed++;
      return removed;
    },
  };
}
