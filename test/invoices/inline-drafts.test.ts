import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { inlineDrafts, inlineOffers, invoices } from '../../src/db/schema.js';
import { createInlineDrafts, type InlineDrafts } from '../../src/invoices/inline-drafts.js';
import type { PayRequest } from '../../src/invoices/pay-command.js';
import { useTestDatabase } from '../support/database.js';

// The draft store on a real database: ids nobody can compute, and the binding of a posted message to its draft.

const testDb = useTestDatabase();
let drafts: InlineDrafts;
let clock = new Date('2026-01-01T00:00:00Z');

beforeAll(async () => {
  drafts = createInlineDrafts({ db: testDb.handle.db, now: () => clock });
});

const laptop = (amount: string): PayRequest => ({ amount, token: 'bUSDT', description: 'Laptop' });
/** The scheme this replaced: anyone could compute it from what a message shows. */
const oldSchemeId = (userId: number, r: PayRequest) =>
  createHash('sha256')
    .update([userId, r.amount, r.token, r.description ?? ''].join('\n'))
    .digest('base64url')
    .slice(0, 22);

describe('inline draft ids', () => {
  it('are random, not derived from user and request, and fit callback data', async () => {
    const ids = [
      await drafts.save(1, laptop('1'), 'en'),
      await drafts.save(1, laptop('100'), 'en'),
      await drafts.save(2, laptop('1'), 'en'),
    ];
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Buffer.byteLength(`v1:ipay:${ids[0]}`)).toBeLessThanOrEqual(64);
    expect(ids).not.toContain(oldSchemeId(1, laptop('1')));
    expect(ids).not.toContain(oldSchemeId(1, laptop('100')));
    expect(ids).not.toContain(oldSchemeId(2, laptop('1')));
  });

  it("reuse the user's unposted draft for the same request (amount normalised), refreshing it", async () => {
    const id = await drafts.save(3, laptop('10'), 'en');
    clock = new Date(clock.getTime() + 60_000);
    expect(await drafts.save(3, laptop('10.00'), 'ru')).toBe(id);
    expect(await drafts.find(id)).toEqual({ id, userId: 3, request: laptop('10'), locale: 'ru' });
    const [row] = await testDb.handle.db.select().from(inlineDrafts).where(eq(inlineDrafts.id, id));
    expect(row?.createdAt).toEqual(clock);
  });
});

describe('binding a posted message to its draft', () => {
  it('binds on the chosen result of the draft’s own user only', async () => {
    const id = await drafts.save(10, laptop('5'), 'en');
    expect(await drafts.bindChosen('m-other', id, 11)).toMatchObject({ kind: 'not-owner' });
    expect(await drafts.boundDraftId('m-other')).toBeUndefined();
    expect(await drafts.bindChosen('m-own', id, 10)).toMatchObject({ kind: 'bound', draft: { id } });
    expect(await drafts.bindChosen('m-none', 'no-such-draft', 10)).toEqual({ kind: 'no-draft' });
  });

  it('lets one draft be sent into several messages by chosen results, then offers a new draft for it', async () => {
    const id = await drafts.save(12, laptop('6'), 'en');
    expect(await drafts.bindChosen('m-a', id, 12)).toMatchObject({ kind: 'bound' });
    expect(await drafts.bindChosen('m-b', id, 12)).toMatchObject({ kind: 'bound' });
    // Posted: its tap on message m-a is fine, but no unbound message can take it on a tap.
    expect(await drafts.bindOnTap('m-a', id)).toMatchObject({ kind: 'bound' });
    expect(await drafts.bindOnTap('m-c', id)).toEqual({ kind: 'conflict', boundDraftId: undefined });
    expect(await drafts.save(12, laptop('6'), 'en')).not.toBe(id);
  });

  it('binds a first tap only to a draft no other message carries, even when two taps race', async () => {
    const id = await drafts.save(13, laptop('7'), 'en');
    const results = await Promise.all(['m-race-1', 'm-race-2', 'm-race-3'].map((m) => drafts.bindOnTap(m, id)));
    expect(results.filter((r) => r.kind === 'bound')).toHaveLength(1);
    expect(await testDb.handle.db.select().from(inlineOffers).where(eq(inlineOffers.draftId, id))).toHaveLength(1);
  });

  it('keeps a tap-bound message to its draft, and names that draft when another is tapped', async () => {
    const first = await drafts.save(14, laptop('8'), 'en');
    const other = await drafts.save(14, laptop('0.8'), 'en');
    expect(await drafts.bindOnTap('m-tap', first)).toMatchObject({ kind: 'bound' });
    expect(await drafts.bindOnTap('m-tap', other)).toEqual({ kind: 'conflict', boundDraftId: first });
  });

  it("takes Telegram's chosen result over a tap binding until the message has an invoice", async () => {
    const tapped = await drafts.save(15, laptop('9'), 'en');
    const chosen = await drafts.save(15, laptop('90'), 'en');
    expect(await drafts.bindOnTap('m-late-choice', tapped)).toMatchObject({ kind: 'bound' });
    expect(await drafts.bindChosen('m-late-choice', chosen, 15)).toMatchObject({ kind: 'bound' });
    expect(await drafts.boundDraftId('m-late-choice')).toBe(chosen);

    const third = await drafts.save(15, laptop('900'), 'en');
    await testDb.handle.db.insert(invoices).values({
      smartyPayId: 'sp-inline-1',
      chatId: null,
      notifyChatId: 15,
      inlineMessageId: 'm-late-choice',
      amount: '90',
      token: 'bUSDT',
      status: 'Created',
      checkoutUrl: 'https://checkout.example/?invoice-id=sp-inline-1',
      expiresAt: clock,
    });
    expect(await drafts.bindChosen('m-late-choice', third, 15)).toEqual({ kind: 'conflict', boundDraftId: chosen });
  });

  it('prunes old drafts together with their bindings', async () => {
    const old = await drafts.save(16, laptop('11'), 'en');
    await drafts.bindChosen('m-old', old, 16);
    clock = new Date(clock.getTime() + 8 * 24 * 60 * 60_000);
    const fresh = await drafts.save(16, laptop('12'), 'en');
    await drafts.bindChosen('m-fresh', fresh, 16);
    expect(await drafts.pruneBefore(new Date(clock.getTime() - 7 * 24 * 60 * 60_000))).toBeGreaterThan(0);
    expect(await drafts.find(old)).toBeUndefined();
    expect(await drafts.boundDraftId('m-old')).toBeUndefined();
    expect(await drafts.boundDraftId('m-fresh')).toBe(fresh);
  });
});
