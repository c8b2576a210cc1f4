import { createHash, randomBytes } from 'node:crypto';
import { and, eq, lt, ne, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { inlineDrafts, inlineOffers, invoices } from '../db/schema.js';
import { normaliseDecimal } from '../decimal.js';
import type { PayRequest } from './pay-command.js';

// Inline mode answers every keystroke of `@bot 10 bUSDT coffee`; SMARTy Pay must not see those. A draft
// remembers what one answer offered, under a random inline result id, until a customer taps it or the issuer
// sends it: only then does it become an invoice. The Pay button's callback data names the draft, and anyone can
// send any callback data for a message, so a posted message is bound to the draft it carries (inline_offers)
// and a tap naming another draft is refused.

export interface InlineDraft {
  id: string;
  userId: number;
  request: PayRequest;
  locale: string;
}

/** What binding a message to a draft found. `boundDraftId` is the draft the message carries now. */
export type InlineBinding =
  | { kind: 'bound'; draft: InlineDraft }
  | { kind: 'no-draft' }
  /** The chosen result names a draft of another user. */
  | { kind: 'not-owner'; draft: InlineDraft }
  /** The message carries another draft, or (first tap) this draft is already carried by another message. */
  | { kind: 'conflict'; boundDraftId: string | undefined };

export interface InlineDrafts {
  /** Stores (or refreshes) the user's unposted draft for this request; returns its random id. */
  save(userId: number, request: PayRequest, locale: string): Promise<string>;
  find(id: string): Promise<InlineDraft | undefined>;
  /** The draft an inline message is bound to, if any. */
  boundDraftId(inlineMessageId: string): Promise<string | undefined>;
  /**
   * Telegram reports that `userId` posted draft `draftId` as this message: the message carries it from now on
   * (replacing a binding made by a tap while the message has no invoice, since Telegram's word is the truth).
   */
  bindChosen(inlineMessageId: string, draftId: string, userId: number): Promise<InlineBinding>;
  /**
   * A tap on a message Telegram reported no choice for (inline feedback off): binds it to `draftId` only if no
   * other message carries that draft yet.
   */
  bindOnTap(inlineMessageId: string, draftId: string): Promise<InlineBinding>;
  /** Forgets drafts last offered before `before`, and with them their bindings; returns how many drafts. */
  pruneBefore(before: Date): Promise<number>;
}

/** A posted inline offer can be tapped long after it was typed; after this long its tap says the offer is gone. */
export const INLINE_DRAFT_TTL_MS = 7 * 24 * 60 * 60_000;

/**
 * 16 random bytes as 22 base64url characters: unguessable, and short enough for callback data (`ipay:` + id ≤ 64
 * bytes) and for a result id.
 */
export function newInlineDraftId(): string {
  return randomBytes(16).toString('base64url');
}

/** What makes two queries the same request of the same user (looked up, never shown to Telegram). */
export function inlineRequestKey(userId: number, request: PayRequest): string {
  const key = [userId, normaliseDecimal(request.amount), request.token, request.description ?? ''].join('\n');
  return createHash('sha256').update(key).digest('hex');
}

type DraftRow = typeof inlineDrafts.$inferSelect;

function toDraft(row: Pick<DraftRow, 'id' | 'userId' | 'amount' | 'token' | 'description' | 'locale'>): InlineDraft {
  return {
    id: row.id,
    userId: row.userId,
    request: { amount: normaliseDecimal(row.amount), token: row.token, description: row.description ?? undefined },
    locale: row.locale,
  };
}

export function createInlineDrafts(deps: { db: Database; now?: () => Date }): InlineDrafts {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());

  async function boundDraftId(inlineMessageId: string, tx: Pick<Database, 'select'> = db) {
    const [row] = await tx
      .select({ draftId: inlineOffers.draftId })
      .from(inlineOffers)
      .where(eq(inlineOffers.inlineMessageId, inlineMessageId));
    return row?.draftId;
  }

  return {
    boundDraftId,

    async save(userId, request, locale) {
      const [row] = await db
        .insert(inlineDrafts)
        .values({
          id: newInlineDraftId(),
          userId,
          requestKey: inlineRequestKey(userId, request),
          amount: request.amount,
          token: request.token,
          description: request.description ?? null,
          locale,
          createdAt: now(),
        })
        .onConflictDoUpdate({ target: inlineDrafts.requestKey, set: { locale, createdAt: now() } })
        .returning({ id: inlineDrafts.id });
      if (!row) throw new Error('inline draft upsert returned no row');
      return row.id;
    },

    async find(id) {
      const [row] = await db.select().from(inlineDrafts).where(eq(inlineDrafts.id, id)).limit(1);
      return row && toDraft(row);
    },

    bindChosen(inlineMessageId, draftId, userId) {
      return db.transaction(async (tx): Promise<InlineBinding> => {
        // Locks the draft, so binding it here and binding it on a tap elsewhere happen one after the other.
        const [row] = await tx.select().from(inlineDrafts).where(eq(inlineDrafts.id, draftId)).for('update');
        if (!row) return { kind: 'no-draft' };
        const draft = toDraft(row);
        if (row.userId !== userId) return { kind: 'not-owner', draft };
        await tx.update(inlineDrafts).set({ requestKey: null }).where(eq(inlineDrafts.id, draftId));
        await tx
          .insert(inlineOffers)
          .values({ inlineMessageId, draftId, boundAt: now() })
          .onConflictDoUpdate({
            target: inlineOffers.inlineMessageId,
            set: { draftId, boundAt: now() },
            setWhere: sql`not exists (select 1 from ${invoices} where ${invoices.inlineMessageId} = ${inlineMessageId})`,
          });
        const bound = await boundDraftId(inlineMessageId, tx);
        return bound === draftId ? { kind: 'bound', draft } : { kind: 'conflict', boundDraftId: bound };
      });
    },

    bindOnTap(inlineMessageId, draftId) {
      return db.transaction(async (tx): Promise<InlineBinding> => {
        const [row] = await tx.select().from(inlineDrafts).where(eq(inlineDrafts.id, draftId)).for('update');
        if (!row) return { kind: 'no-draft' };
        // Read after the lock (a new snapshot per statement), so a concurrent tap's binding is seen.
        const [elsewhere] = await tx
          .select({ inlineMessageId: inlineOffers.inlineMessageId })
          .from(inlineOffers)
          .where(and(eq(inlineOffers.draftId, draftId), ne(inlineOffers.inlineMessageId, inlineMessageId)))
          .limit(1);
        if (!elsewhere) {
          await tx.update(inlineDrafts).set({ requestKey: null }).where(eq(inlineDrafts.id, draftId));
          await tx.insert(inlineOffers).values({ inlineMessageId, draftId, boundAt: now() }).onConflictDoNothing();
        }
        const bound = await boundDraftId(inlineMessageId, tx);
        return bound === draftId ? { kind: 'bound', draft: toDraft(row) } : { kind: 'conflict', boundDraftId: bound };
      });
    },

    async pruneBefore(before) {
      // inline_offers rows go with their draft (on delete cascade): a message that got an invoice is answered from
      // the invoice, one that did not is as gone as its draft.
      const deleted = await db
        .delete(inlineDrafts)
        .where(lt(inlineDrafts.createdAt, before))
        .returning({ id: inlineDrafts.id });
      return deleted.length;
    },
  };
}
