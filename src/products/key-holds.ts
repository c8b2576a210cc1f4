import { and, eq, inArray, isNotNull, isNull, lte, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Database, Transaction } from '../db/client.js';
import { invoices, productKeys } from '../db/schema.js';
import type { InvoiceStatus } from '../db/vocabulary.js';
import type { KeyReservation } from '../invoices/issue.js';
import { canTransition, STATE_MACHINE } from '../invoices/state-machine.js';

// A keys product's stock between "the buyer opened the link" and "the invoice exists". SMARTy Pay has no cancel,
// so an invoice made there must always have its key: the key is held (product_keys.held_for = the (chat, message)
// placeholder) BEFORE SMARTy Pay is asked, and a buyer who finds none is told "sold out" with no SMARTy Pay call.
// The invoice's own transaction turns the hold into its reservation (invoice_id), an Unconfirmed row too (the
// create may have happened); a create refused for sure releases it. The reconciler's sweep returns what no
// transition ever will: holds a crash left behind, and keys of invoices past expiry that no status change frees
// (an Unconfirmed create nobody named, an UnderPaid never completed).

/** Longer than any create (SMARTYPAY_TIMEOUT_MS ≤ 2 min); only a hold a crash left behind lives this long. */
const HOLD_MS = 10 * 60_000;

/** Statuses that keep their key (`keys: 'keep'`) and that nothing moves once they are past expiry. */
const KEPT_PAST_EXPIRY: readonly InvoiceStatus[] = (Object.keys(STATE_MACHINE) as InvoiceStatus[]).filter(
  (status) =>
    STATE_MACHINE[status].keys === 'keep' &&
    !(canTransition(status, 'Expired') && STATE_MACHINE[status].schedule !== 'stop_checking'),
);

/** A key held for one (chat, message); `release` returns it unless an invoice took it meanwhile. */
export interface KeyHold extends KeyReservation {
  release(): Promise<void>;
}

export interface KeyHolds {
  /** Holds the oldest free key of the product for `holdFor`; undefined when none is free (sold out). */
  hold(productId: number, holdFor: string): Promise<KeyHold | undefined>;
  /** The reconciler's sweep: lapsed holds and reservations back to stock; returns how many keys. */
  releaseLapsed(): Promise<number>;
}

export interface KeyHoldsDeps {
  db: Database;
  logger: Logger;
  now: () => Date;
}

type Runner = Database | Transaction;

/** The oldest key of the product neither reserved nor held; a locked one is skipped, not waited for. */
const freeKey = (runner: Runner, productId: number) =>
  runner
    .select({ id: productKeys.id })
    .from(productKeys)
    .where(and(eq(productKeys.productId, productId), isNull(productKeys.invoiceId), isNull(productKeys.heldFor)))
    .orderBy(productKeys.id)
    .limit(1)
    .for('update', { skipLocked: true });

export function createKeyHolds(deps: KeyHoldsDeps): KeyHolds {
  const { db, logger, now } = deps;

  function holdOf(productId: number, holdFor: string, owned: boolean): KeyHold {
    // Once an invoice took it there is nothing left to release (no statement needed). Should the invoice's
    // transaction roll back after all, the hold lapses and releaseLapsed returns the key.
    let attached = false;
    return {
      async attach(tx, invoiceId) {
        attached = true;
        const [taken] = await tx
          .update(productKeys)
          .set({ invoiceId, heldFor: null, heldUntil: null })
          .where(and(eq(productKeys.heldFor, holdFor), isNull(productKeys.invoiceId)))
          .returning({ id: productKeys.id });
        if (taken) return;
        // The hold lapsed (a create slower than HOLD_MS) and another buyer may have its key. SMARTy Pay has the
        // invoice now, so it is kept either way: with a free key if one is left, else a payment is told to the
        // merchant to refund or deliver by hand (as a late payment's is).
        const [other] = await tx
          .update(productKeys)
          .set({ invoiceId })
          .where(eq(productKeys.id, sql`(${freeKey(tx, productId)})`))
          .returning({ id: productKeys.id });
        if (!other) logger.warn({ invoiceId, productId, holdFor }, 'the held key lapsed and none is free; no key');
      },
      async release() {
        if (!owned || attached) return;
        await db
          .update(productKeys)
          .set({ heldFor: null, heldUntil: null })
          .where(and(eq(productKeys.heldFor, holdFor), isNull(productKeys.invoiceId)));
      },
    };
  }

  return {
    async hold(productId, holdFor) {
      // The same /start handled again: the key it already holds (its first handling releases it).
      const [already] = await db
        .select({ id: productKeys.id })
        .from(productKeys)
        .where(eq(productKeys.heldFor, holdFor));
      if (already) return holdOf(productId, holdFor, false);
      const [held] = await db
        .update(productKeys)
        .set({ heldFor: holdFor, heldUntil: new Date(now().getTime() + HOLD_MS) })
        .where(eq(productKeys.id, sql`(${freeKey(db, productId)})`))
        .returning({ id: productKeys.id });
      return held ? holdOf(productId, holdFor, true) : undefined;
    },

    async releaseLapsed() {
      const at = now();
      const holds = await db
        .update(productKeys)
        .set({ heldFor: null, heldUntil: null })
        .where(and(isNotNull(productKeys.heldFor), isNull(productKeys.invoiceId), lte(productKeys.heldUntil, at)))
        .returning({ id: productKeys.id });
      // Reserved for an invoice past expiry in a status nothing moves, unless its remainder ("Pay the remaining")
      // can still be paid: that payment sells the original's key. Locked invoices (a payment being applied right
      // now) are skipped; the next tick sees them again.
      const lapsed = db
        .select({ id: invoices.id })
        .from(invoices)
        .where(
          and(
            sql`${invoices.id} in (select invoice_id from product_keys where invoice_id is not null and sold_at is null)`,
            inArray(invoices.status, [...KEPT_PAST_EXPIRY]),
            lte(invoices.expiresAt, at),
            sql`not exists (select 1 from invoices r where r.remainder_of_invoice_id = ${invoices.id}
              and r.expires_at > ${at.toISOString()}::timestamptz)`,
          ),
        )
        .limit(500)
        .for('update', { skipLocked: true });
      const reservations = await db
        .update(productKeys)
        .set({ invoiceId: null })
        .where(and(inArray(productKeys.invoiceId, lapsed), isNull(productKeys.soldAt)))
        .returning({ id: productKeys.id });
      const released = holds.length + reservations.length;
      if (released > 0) logger.info({ holds: holds.length, reservations: reservations.length }, 'keys back in stock');
      return released;
    },
  };
}
