import { and, count, desc, eq, gt, isNull, or, sql } from 'drizzle-orm';
import type { Database, Transaction } from '../db/client.js';
import { fixedStatement, rowOf } from '../db/fixed-statement.js';
import { type AccessGrantRow, accessExtensions, accessGrants, invoices, products } from '../db/schema.js';
import type { Metrics } from '../metrics.js';

// Paid access in the database: one grant per (product, user, chat). A paid invoice extends it exactly once
// (access_extensions is keyed by the invoice), from its current end when it is still running, else from now, so
// early or repeated payments stack; a lifetime product's grant never ends.

export interface PaymentGrant {
  invoiceId: number;
  productId: number;
  userId: number;
  chatId: number;
  /** Null = for life. */
  periodSeconds: number | null;
}

export interface AccessGrants {
  /** Creates or extends the buyer's grant for this paid invoice; a second call for the same invoice changes nothing. */
  grantForPayment(payment: PaymentGrant): Promise<AccessGrantRow>;
  /** The user's grant for the chat that lets them in now (active, unexpired), if any. */
  findActive(chatId: number, userId: number): Promise<AccessGrantRow | undefined>;
  setInviteLink(grantId: number, inviteLink: string): Promise<void>;
  /** Approved into the chat: the personal link has served and is revoked. */
  markJoined(grantId: number): Promise<void>;
  /** /grant: creates or extends a user's grant by `periodSeconds` (null = for life) from its current end. */
  grantManually(grant: Omit<PaymentGrant, 'invoiceId'>): Promise<AccessGrantRow>;
  /** /members and the dashboard: each product's grants, active first, by end; at most `limit` per product. */
  listForProducts(productIds: readonly number[], limit: number): Promise<AccessGrantRow[]>;
  /** Active, unexpired grants per product code (the access_active_members gauge). */
  activeCounts(): Promise<Array<{ product: string; active: number }>>;
}

type GrantKey = Pick<PaymentGrant, 'productId' | 'userId' | 'chatId'>;

/** Each product's first `limit` grants in one statement (the dashboard listed them with a query per product). */
const LIST_FOR_PRODUCTS = fixedStatement(
  `select g.* from unnest($ids::bigint[]) with ordinality as p(id, n)
  cross join lateral (
    select * from access_grants where product_id = p.id
    order by state, ends_at asc nulls last, id limit $limit::int
  ) as g
  order by p.n, g.state, g.ends_at asc nulls last, g.id`,
  ['ids', 'limit'],
);

/** The (product, user, chat) grant, created if there was none (ended, so it extends from now), locked for `tx`. */
async function lockGrant(tx: Transaction, key: GrantKey, at: Date): Promise<AccessGrantRow> {
  const { productId, userId, chatId } = key;
  await tx
    .insert(accessGrants)
    .values({ productId, userId, chatId, endsAt: at, state: 'active', createdAt: at, updatedAt: at })
    .onConflictDoNothing();
  const [grant] = await tx
    .select()
    .from(accessGrants)
    .where(and(eq(accessGrants.productId, productId), eq(accessGrants.userId, userId), eq(accessGrants.chatId, chatId)))
    .for('update');
  if (!grant) throw new Error('access grant vanished under its lock');
  return grant;
}

/** Extended by `periodSeconds` (null = for life) from its end while it still runs, else from now. */
function extendedEnd(
  grant: AccessGrantRow,
  periodSeconds: number | null,
  at: Date,
): { running: boolean; endsAt: Date | null } {
  const running = grant.state === 'active' && (grant.endsAt === null || grant.endsAt > at);
  if (periodSeconds === null || (running && grant.endsAt === null)) return { running, endsAt: null };
  const base = running && grant.endsAt !== null ? grant.endsAt : at;
  return { running, endsAt: new Date(base.getTime() + periodSeconds * 1000) };
}

/** The grant active until `endsAt`; one coming back after a removal starts afresh (a new link, a new join). */
async function setEnd(tx: Transaction, grant: AccessGrantRow, endsAt: Date | null, at: Date): Promise<AccessGrantRow> {
  const [updated] = await tx
    .update(accessGrants)
    .set({
      endsAt,
      state: 'active',
      updatedAt: at,
      ...(grant.state !== 'active' && {
        joinedAt: null,
        inviteLink: null,
        inviteLinkRevokedAt: null,
        removedAt: null,
        removalAttempts: 0,
        removalError: null,
      }),
    })
    .where(eq(accessGrants.id, grant.id))
    .returning();
  return updated ?? grant;
}

/**
 * Who holds the grant, from its latest paid invoice: the language they are written to in and their names for a
 * renewal invoice (English and no names for a grant given by /grant alone).
 */
export async function grantHolder(
  db: Database,
  grantId: number,
): Promise<{ locale: string; name: string; username: string | undefined }> {
  const [row] = await db
    .select({ locale: invoices.locale, name: invoices.buyerName, username: invoices.buyerUsername })
    .from(accessExtensions)
    .innerJoin(invoices, eq(invoices.id, accessExtensions.invoiceId))
    .where(eq(accessExtensions.grantId, grantId))
    .orderBy(desc(accessExtensions.createdAt))
    .limit(1);
  return { locale: row?.locale ?? 'en', name: row?.name ?? '', username: row?.username ?? undefined };
}

export function createAccessGrants(deps: {
  db: Database;
  now: () => Date;
  metrics?: Pick<Metrics, 'accessRenewals'>;
}): AccessGrants {
  const { db, now } = deps;
  return {
    async grantForPayment(payment) {
      return db.transaction(async (tx) => {
        const at = now();
        const grant = await lockGrant(tx, payment, at);
        const { running, endsAt } = extendedEnd(grant, payment.periodSeconds, at);
        const [recorded] = await tx
          .insert(accessExtensions)
          .values({ invoiceId: payment.invoiceId, grantId: grant.id, previousEndsAt: grant.endsAt, endsAt })
          .onConflictDoNothing()
          .returning();
        // Already extended by this invoice (a send repeated after its lease): the grant is as it was left.
        if (!recorded) return grant;
        if (running) deps.metrics?.accessRenewals.inc();
        return setEnd(tx, grant, endsAt, at);
      });
    },

    async findActive(chatId, userId) {
      const [grant] = await db
        .select()
        .from(accessGrants)
        .where(
          and(
            eq(accessGrants.chatId, chatId),
            eq(accessGrants.userId, userId),
            eq(accessGrants.state, 'active'),
            or(isNull(accessGrants.endsAt), gt(accessGrants.endsAt, now())),
          ),
        )
        .orderBy(sql`${accessGrants.endsAt} desc nulls first`)
        .limit(1);
      return grant;
    },

    async grantManually(request) {
      return db.transaction(async (tx) => {
        const at = now();
        const grant = await lockGrant(tx, request, at);
        return setEnd(tx, grant, extendedEnd(grant, request.periodSeconds, at).endsAt, at);
      });
    },

    async listForProducts(productIds, limit) {
      if (productIds.length === 0) return [];
      return (await LIST_FOR_PRODUCTS.run(db, { ids: [...productIds], limit })).map((raw) => rowOf(accessGrants, raw));
    },

    async activeCounts() {
      const rows = await db
        .select({ product: products.code, active: count() })
        .from(accessGrants)
        .innerJoin(products, eq(products.id, accessGrants.productId))
        .where(and(eq(accessGrants.state, 'active'), or(isNull(accessGrants.endsAt), gt(accessGrants.endsAt, now()))))
        .groupBy(products.code);
      return rows.map((row) => ({ product: row.product, active: Number(row.active) }));
    },

    async setInviteLink(grantId, inviteLink) {
      await db
        .update(accessGrants)
        .set({ inviteLink, inviteLinkRevokedAt: null, updatedAt: now() })
        .where(eq(accessGrants.id, grantId));
    },

    async markJoined(grantId) {
      const at = now();
      await db
        .update(accessGrants)
        .set({ joinedAt: at, inviteLinkRevokedAt: at, updatedAt: at })
        .where(eq(accessGrants.id, grantId));
    },
  };
}
