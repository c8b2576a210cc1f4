import { and, desc, eq, ilike, inArray, isNotNull, isNull, or, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { type InvoiceRow, invoices, type ProductRow, productKeys, products } from '../db/schema.js';
import type { ProductContent, ProductState } from '../db/vocabulary.js';
import { normaliseDecimal } from '../decimal.js';
import { MONEY_ARRIVED_STATUSES, PAID_STATUSES, PLAIN_DECIMAL_PATTERN } from '../invoices/state-machine.js';
import type { ShopTotals } from '../metrics.js';
import { newProductCode } from './rules.js';

// The shop's products: made and changed only by their merchant (the caller checks MERCHANT_USER_IDS; every
// method that changes or lists takes the merchant's id and touches only their products), found by code by anyone
// who opens a link. Selling one is an ordinary invoice with product_id (InvoiceService.issueForProduct).

/** A keys product's stock: free, reserved for an open invoice (or held while it is made), sold. */
export interface KeyCounts {
  free: number;
  reserved: number;
  sold: number;
}

/** A product with what it sold: sales (a sale paid in two parts counts once) and money received in its token. */
export interface ProductSummary {
  product: ProductRow;
  sales: number;
  revenue: string;
  /** A keys product's free keys; null for a product that delivers a message. */
  stock: number | null;
}

/** Something a buyer paid for: the invoice, its product, and the key sold with it (keys products). */
export interface Purchase {
  invoice: InvoiceRow;
  product: ProductRow;
  key: string | null;
}

export interface NewProduct {
  merchantUserId: number;
  amount: string;
  token: string;
  title: string;
  locale: string;
}

export interface ProductService {
  create(input: NewProduct): Promise<ProductRow>;
  /** Any product by its code (the link), whatever its state. */
  findByCode(code: string): Promise<ProductRow | undefined>;
  /** The product `code` if `merchantUserId` made it. */
  findOwned(merchantUserId: number, code: string): Promise<ProductRow | undefined>;
  /** Replaces what it delivers; undefined when the merchant has no such product (or it is deleted). */
  setContent(merchantUserId: number, code: string, content: ProductContent): Promise<ProductRow | undefined>;
  /** Product `id` if `merchantUserId` made it. */
  findOwnedById(merchantUserId: number, id: number): Promise<ProductRow | undefined>;
  /**
   * Pauses, resumes or deletes the merchant's product; a deleted one stays deleted (its history is kept, its link
   * says it is gone). Undefined when there is no such product of theirs that may move.
   */
  setState(merchantUserId: number, id: number, state: ProductState): Promise<ProductRow | undefined>;
  /**
   * Adds keys to the merchant's product and makes it a keys product (each sale hands out one). A key it already has
   * is skipped. Undefined when the merchant has no such product (or it is deleted).
   */
  addKeys(
    merchantUserId: number,
    code: string,
    keys: readonly string[],
  ): Promise<{ product: ProductRow; added: number } | undefined>;
  keyCounts(productId: number): Promise<KeyCounts>;
  /** Whether a key is free (neither sold, reserved nor held): the buyer's sold-out check, one index probe. */
  hasFreeKey(productId: number): Promise<boolean>;
  /**
   * Inline mode (`@bot <code>` or a word of the title): the merchant's products on sale whose code is `query` or
   * whose title contains it (any case), newest first.
   */
  search(merchantUserId: number, query: string, limit: number): Promise<ProductRow[]>;
  /** For /metrics: products sold and free keys left, over every merchant. */
  totals(): Promise<ShopTotals>;
  /** What the buyer paid for, newest first, at most `limit`. */
  purchases(buyerUserId: number, limit: number): Promise<Purchase[]>;
  /** One of the buyer's purchases by invoice number; undefined when it is not theirs or not paid. */
  purchase(buyerUserId: number, invoiceId: number): Promise<Purchase | undefined>;
  /** The merchant's products, newest first, at most `limit`, and how many they have in all. */
  list(merchantUserId: number, limit: number): Promise<{ items: ProductSummary[]; total: number }>;
  /**
   * Changes the title or price of the merchant's product (the dashboard); invoices already issued keep theirs.
   * Undefined when the merchant has no such product (or it is deleted).
   */
  edit(merchantUserId: number, id: number, changes: ProductChanges): Promise<ProductRow | undefined>;
}

export interface ProductChanges {
  title?: string | undefined;
  /** A decimal string checked by parseAmount, in the product's token. */
  amount?: string | undefined;
}

export interface ProductServiceDeps {
  db: Database;
  now: () => Date;
  /** Random codes (tests may fix them). */
  newCode?: () => string;
}

const normal = (row: ProductRow): ProductRow => ({ ...row, amount: normaliseDecimal(row.amount) });

export function createProductService(deps: ProductServiceDeps): ProductService {
  const { db, now } = deps;
  const newCode = deps.newCode ?? (() => newProductCode());
  const owned = (merchantUserId: number, code: string) =>
    and(eq(products.merchantUserId, merchantUserId), eq(products.code, code));

  /** Paid invoices of products matching `where`, newest first, with the key each sold. */
  async function purchasesWhere(where: ReturnType<typeof and>, limit: number): Promise<Purchase[]> {
    const rows = await db
      .select({ invoice: invoices, product: products, key: productKeys.key })
      .from(invoices)
      .innerJoin(products, eq(products.id, invoices.productId))
      .leftJoin(productKeys, and(eq(productKeys.invoiceId, invoices.id), isNotNull(productKeys.soldAt)))
      .where(and(where, isNotNull(invoices.productId), inArray(invoices.status, [...PAID_STATUSES])))
      .orderBy(desc(invoices.paidAt), desc(invoices.id))
      .limit(limit);
    return rows.map((row) => ({ ...row, product: normal(row.product) }));
  }

  return {
    async create(input) {
      // 96 random bits: a collision is not expected, but a unique violation must not lose the merchant's command.
      for (let attempt = 0; ; attempt++) {
        const at = now();
        const [row] = await db
          .insert(products)
          .values({ ...input, code: newCode(), createdAt: at, updatedAt: at })
          .onConflictDoNothing()
          .returning();
        if (row) return normal(row);
        if (attempt >= 2) throw new Error('could not find a free product code');
      }
    },

    async findByCode(code) {
      const [row] = await db.select().from(products).where(eq(products.code, code)).limit(1);
      return row && normal(row);
    },

    async findOwned(merchantUserId, code) {
      const [row] = await db.select().from(products).where(owned(merchantUserId, code)).limit(1);
      return row && normal(row);
    },

    async findOwnedById(merchantUserId, id) {
      const [row] = await db
        .select()
        .from(products)
        .where(and(eq(products.merchantUserId, merchantUserId), eq(products.id, id)))
        .limit(1);
      return row && normal(row);
    },

    async setState(merchantUserId, id, state) {
      const [row] = await db
        .update(products)
        .set({ state, updatedAt: now() })
        .where(
          and(eq(products.merchantUserId, merchantUserId), eq(products.id, id), sql`${products.state} <> 'deleted'`),
        )
        .returning();
      return row && normal(row);
    },

    async setContent(merchantUserId, code, content) {
      const [row] = await db
        .update(products)
        .set({ content, updatedAt: now() })
        .where(and(owned(merchantUserId, code), sql`${products.state} <> 'deleted'`))
        .returning();
      return row && normal(row);
    },

    async addKeys(merchantUserId, code, keys) {
      return db.transaction(async (tx) => {
        const [product] = await tx
          .update(products)
          .set({ content: { type: 'keys' }, updatedAt: now() })
          .where(and(owned(merchantUserId, code), sql`${products.state} <> 'deleted'`))
          .returning();
        if (!product) return undefined;
        const at = now();
        const added = await tx
          .insert(productKeys)
          .values(keys.map((key) => ({ productId: product.id, key, createdAt: at })))
          .onConflictDoNothing()
          .returning({ id: productKeys.id });
        return { product: normal(product), added: added.length };
      });
    },

    async keyCounts(productId) {
      const [row] = await db
        .select({
          free: sql<number>`count(*) filter (where ${productKeys.invoiceId} is null and ${productKeys.heldFor} is null)`.mapWith(
            Number,
          ),
          // Held while SMARTy Pay is asked counts as reserved too (src/products/key-holds.ts).
          reserved: sql<number>`count(*) filter (where ${productKeys.soldAt} is null
            and (${productKeys.invoiceId} is not null or ${productKeys.heldFor} is not null))`.mapWith(Number),
          sold: sql<number>`count(*) filter (where ${productKeys.soldAt} is not null)`.mapWith(Number),
        })
        .from(productKeys)
        .where(eq(productKeys.productId, productId));
      return { free: row?.free ?? 0, reserved: row?.reserved ?? 0, sold: row?.sold ?? 0 };
    },

    async hasFreeKey(productId) {
      const [row] = await db
        .select({ id: productKeys.id })
        .from(productKeys)
        .where(and(eq(productKeys.productId, productId), isNull(productKeys.invoiceId), isNull(productKeys.heldFor)))
        .limit(1);
      return row !== undefined;
    },

    async search(merchantUserId, query, limit) {
      // The query is matched literally: LIKE's wildcards and escape in it are escaped.
      const pattern = `%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const rows = await db
        .select()
        .from(products)
        .where(
          and(
            eq(products.merchantUserId, merchantUserId),
            eq(products.state, 'active'),
            // On sale: it delivers a message or keys, grants paid access, or both.
            or(isNotNull(products.content), isNotNull(products.accessChatId)),
            or(eq(products.code, query), ilike(products.title, pattern)),
          ),
        )
        .orderBy(desc(products.createdAt), desc(products.id))
        .limit(limit);
      return rows.map(normal);
    },

    async totals() {
      const paid = sql.join(
        PAID_STATUSES.map((status) => sql`${status}`),
        sql`, `,
      );
      const [row] = await db
        .select({
          sold: sql<number>`(select count(distinct coalesce(${invoices.remainderOfInvoiceId}, ${invoices.id}))
            from ${invoices} where ${invoices.productId} is not null and ${invoices.status} in (${paid}))`.mapWith(
            Number,
          ),
          keysLeft:
            sql<number>`(select count(*) from ${productKeys} join ${products} on ${products.id} = ${productKeys.productId}
            where ${productKeys.invoiceId} is null and ${productKeys.heldFor} is null
              and ${products.state} <> 'deleted')`.mapWith(Number),
        })
        .from(sql`(select 1) as one`);
      return { sold: row?.sold ?? 0, keysLeft: row?.keysLeft ?? 0 };
    },

    purchases: (buyerUserId, limit) => purchasesWhere(eq(invoices.issuedByUserId, buyerUserId), limit),

    async purchase(buyerUserId, invoiceId) {
      const [found] = await purchasesWhere(
        and(eq(invoices.issuedByUserId, buyerUserId), eq(invoices.id, invoiceId)),
        1,
      );
      return found;
    },

    async edit(merchantUserId, id, changes) {
      const [row] = await db
        .update(products)
        .set({
          ...(changes.title !== undefined && { title: changes.title }),
          ...(changes.amount !== undefined && { amount: changes.amount }),
          updatedAt: now(),
        })
        .where(
          and(eq(products.merchantUserId, merchantUserId), eq(products.id, id), sql`${products.state} <> 'deleted'`),
        )
        .returning();
      return row && normal(row);
    },

    async list(merchantUserId, limit) {
      const paid = sql.join(
        PAID_STATUSES.map((status) => sql`${status}`),
        sql`, `,
      );
      const arrived = sql.join(
        MONEY_ARRIVED_STATUSES.map((status) => sql`${status}`),
        sql`, `,
      );
      const rows = await db
        .select({
          product: products,
          // A remainder belongs to its original's sale.
          sales: sql<number>`count(distinct coalesce(${invoices.remainderOfInvoiceId}, ${invoices.id}))
            filter (where ${invoices.status} in (${paid}))`.mapWith(Number),
          revenue: sql<string>`coalesce(sum(${invoices.paidAmount}::numeric) filter (where
            ${invoices.status} in (${arrived}) and ${invoices.paidToken} = ${products.token}
            and ${invoices.paidAmount} ~ ${PLAIN_DECIMAL_PATTERN}), 0)::text`,
          total: sql<number>`count(*) over ()`.mapWith(Number),
          stock: sql<number>`(select count(*) from ${productKeys} k
            where k.product_id = ${products.id} and k.invoice_id is null and k.held_for is null)`.mapWith(Number),
        })
        .from(products)
        .leftJoin(invoices, eq(invoices.productId, products.id))
        .where(eq(products.merchantUserId, merchantUserId))
        .groupBy(products.id)
        .orderBy(desc(products.createdAt), desc(products.id))
        .limit(limit);
      return {
        items: rows.map((row) => ({
          product: normal(row.product),
          sales: row.sales,
          revenue: normaliseDecimal(row.revenue),
          stock: row.product.content?.type === 'keys' ? row.stock : null,
        })),
        total: rows[0]?.total ?? 0,
      };
    },
  };
}
