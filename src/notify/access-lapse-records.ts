import { and, eq, like } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { type AccessGrantRow, accessGrants, outbox, products } from '../db/schema.js';

// What a removal (./access-lapse.ts) writes about a claimed grant, each only while the claim is still ours (claimed
// with that lease, not renewed meanwhile): a claim handed back, a claim held back until a retry, the grant done. What
// the member or the merchant is told is an outbox row in the same transaction, so it is queued exactly once.

/** How a removal error caused by the bot's missing rights starts: an episode of lost rights in that chat. */
const RIGHTS_LOST = 'rights lost: ';

/** Still ours: claimed with this lease and not renewed (a payment makes it active again) meanwhile. */
const ours = (grant: AccessGrantRow) =>
  and(
    eq(accessGrants.id, grant.id),
    eq(accessGrants.state, 'removing'),
    eq(accessGrants.removalLeaseUntil, grant.removalLeaseUntil ?? new Date(0)),
  );

/** A paid-access row of the outbox about this grant (no invoice), due at `at`. */
function notice(
  grant: AccessGrantRow,
  kind: 'access_removed' | 'access_rights_lost',
  key: string,
  chatId: number,
  at: Date,
): typeof outbox.$inferInsert {
  return {
    dedupeKey: `access:${grant.id}:${key}`,
    kind,
    invoiceId: null,
    chatId,
    payload: { grantId: grant.id, endsAt: grant.endsAt?.toISOString() ?? null },
    nextAttemptAt: at,
    createdAt: at,
  };
}

export function createGrantRecords(db: Database) {
  return {
    /** Claims not started on: due again at `at`, for whoever claims next. */
    async release(grants: AccessGrantRow[], at: Date): Promise<void> {
      for (const grant of grants) {
        await db.update(accessGrants).set({ removalLeaseUntil: at, updatedAt: at }).where(ours(grant));
      }
    },

    /**
     * Telegram refused for now: the claim waits until `retryAt`. A lost right opens an episode the product's
     * merchant hears of once: the product row is locked so two processes agree, and nobody is told while another
     * grant there (or this one, before) is already held back by it. True when the merchant's notice was queued.
     */
    async holdBack(
      grant: AccessGrantRow,
      failure: { note: string; retryAt: Date; rightsLost?: boolean; at: Date },
    ): Promise<boolean> {
      return db.transaction(async (tx) => {
        let tell = false;
        let merchantUserId: number | undefined;
        if (failure.rightsLost) {
          // Locked, and its merchant read, in one statement.
          const [product] = await tx
            .select({ merchantUserId: products.merchantUserId })
            .from(products)
            .where(eq(products.id, grant.productId))
            .for('update');
          merchantUserId = product?.merchantUserId;
          const [already] = await tx
            .select({ id: accessGrants.id })
            .from(accessGrants)
            .where(
              and(
                eq(accessGrants.productId, grant.productId),
                eq(accessGrants.chatId, grant.chatId),
                eq(accessGrants.state, 'removing'),
                like(accessGrants.removalError, `${RIGHTS_LOST}%`),
              ),
            )
            .limit(1);
          tell = already === undefined;
        }
        const [updated] = await tx
          .update(accessGrants)
          .set({
            removalLeaseUntil: failure.retryAt,
            removalError: failure.rightsLost ? `${RIGHTS_LOST}${failure.note}` : failure.note,
            updatedAt: failure.at,
          })
          .where(ours(grant))
          .returning({ id: accessGrants.id });
        if (!updated || !tell || merchantUserId === undefined) return false;
        const key = `rights_lost:${grant.removalAttempts}`;
        await tx
          .insert(outbox)
          .values(notice(grant, 'access_rights_lost', key, merchantUserId, failure.at))
          .onConflictDoNothing();
        return true;
      });
    },

    /**
     * Done (removed, kept or not there): the grant is `removed`, and a member taken out gets `access_removed` (one
     * key per grant and end). False when the claim was no longer ours (renewed meanwhile).
     */
    async markDone(grant: AccessGrantRow, done: { removed: boolean; note: string; at: Date }): Promise<boolean> {
      const { at } = done;
      return db.transaction(async (tx) => {
        const [row] = await tx
          .update(accessGrants)
          .set({
            state: 'removed',
            removedAt: at,
            removalLeaseUntil: null,
            removalError: done.removed ? null : done.note,
            updatedAt: at,
          })
          .where(ours(grant))
          .returning({ id: accessGrants.id });
        if (row && done.removed) {
          const key = `removed:${grant.endsAt?.getTime() ?? 'life'}`;
          await tx
            .insert(outbox)
            .values(notice(grant, 'access_removed', key, grant.userId, at))
            .onConflictDoNothing();
        }
        return row !== undefined;
      });
    },
  };
}
