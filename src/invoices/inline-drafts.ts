import { createHash } from 'node:crypto';
import { eq, lt } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { inlineDrafts } from '../db/schema.js';
import { normaliseDecimal } from './amount.js';
import type { PayRequest } from './pay-command.js';

// Inline mode answers every keystroke of `@bot 10 bUSDT coffee`; SMARTy Pay must not see those. A draft
// remembers what one answer offered, under the inline result id, until a customer taps it or the issuer
// sends it: only then does it become an invoice.

export interface InlineDraft {
  id: string;
  userId: number;
  request: PayRequest;
  locale: string;
}

export interface InlineDrafts {
  /** Stores (or refreshes) the draft for this user and request; returns its id, the same for the same request. */
  save(userId: number, request: PayRequest, locale: string): Promise<string>;
  find(id: string): Promise<InlineDraft | undefined>;
  /** Forgets drafts last offered before `before`; returns how many. */
  pruneBefore(before: Date): Promise<number>;
}

/** A posted inline offer can be tapped long after it was typed; after this long its tap says the offer is gone. */
export const INLINE_DRAFT_TTL_MS = 7 * 24 * 60 * 60_000;

/**
 * 22 base64url characters of SHA-256 over user and normalised request: short enough for callback data
 * (`ipay:` + id ≤ 64 bytes) and for a result id, and stable, so retyping a query reuses its row.
 */
export function inlineDraftId(userId: number, request: PayRequest): string {
  const key = [userId, normaliseDecimal(request.amount), request.token, request.description ?? ''].join('\n');
  return createHash('sha256').update(key).digest('base64url').slice(0, 22);
}

export function createInlineDrafts(deps: { db: Database; now?: () => Date }): InlineDrafts {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());
  return {
    async save(userId, request, locale) {
      const id = inlineDraftId(userId, request);
      await db
        .insert(inlineDrafts)
        .values({
          id,
          userId,
          amount: request.amount,
          token: request.token,
          description: request.description ?? null,
          locale,
          createdAt: now(),
        })
        .onConflictDoUpdate({ target: inlineDrafts.id, set: { locale, createdAt: now() } });
      return id;
    },
    async pruneBefore(before) {
      const deleted = await db
        .delete(inlineDrafts)
        .where(lt(inlineDrafts.createdAt, before))
        .returning({ id: inlineDrafts.id });
      return deleted.length;
    },
    async find(id) {
      const [row] = await db.select().from(inlineDrafts).where(eq(inlineDrafts.id, id)).limit(1);
      if (!row) return undefined;
      return {
        id: row.id,
        userId: row.userId,
        request: { amount: normaliseDecimal(row.amount), token: row.token, description: row.description ?? undefined },
        locale: row.locale,
      };
    },
  };
}
