import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAccessGrants } from '../../src/access/grants.js';
import { accessGrants, invoices, products } from '../../src/db/schema.js';
import { useTestDatabase } from '../support/database.js';
import { invoiceRow } from '../support/invoice-row.js';

// The grant rules on a real database with an injected clock: a paid invoice and /grant extend the same way, from the
// current end while the grant runs, and a grant coming back after a removal starts afresh either way.

const testDb = useTestDatabase();
let productId = 0;
let invoiceId = 0;
let at = new Date('2026-12-01T10:00:00Z');
const DAY = 86_400;

beforeAll(async () => {
  const [product] = await testDb.handle.db
    .insert(products)
    .values({ code: 'grants-test', merchantUserId: 1, title: 'Club', amount: '5', token: 'bUSDT' })
    .returning();
  productId = product?.id ?? 0;
  const { id: _id, ...row } = invoiceRow(at, { smartyPayId: 'sp-grants', status: 'Paid', productId });
  const [invoice] = await testDb.handle.db.insert(invoices).values(row).returning();
  invoiceId = invoice?.id ?? 0;
});

const grants = () => createAccessGrants({ db: testDb.handle.db, now: () => at });
const key = (userId: number) => ({ productId, userId, chatId: -1001 });

describe('access grants', () => {
  it('a payment and /grant both stack on the current end; one invoice extends once', async () => {
    const first = await grants().grantForPayment({ ...key(7), invoiceId, periodSeconds: DAY });
    expect(first.endsAt?.toISOString()).toBe('2026-12-02T10:00:00.000Z');
    const again = await grants().grantForPayment({ ...key(7), invoiceId, periodSeconds: DAY });
    expect(again.endsAt?.toISOString()).toBe('2026-12-02T10:00:00.000Z');
    const manual = await grants().grantManually({ ...key(7), periodSeconds: DAY });
    expect(manual.endsAt?.toISOString()).toBe('2026-12-03T10:00:00.000Z');
  });

  it('/grant after a removal starts afresh, as a payment does: no old link, join or removal attempts', async () => {
    const grant = await grants().grantManually({ ...key(8), periodSeconds: DAY });
    await testDb.handle.db
      .update(accessGrants)
      .set({
        state: 'removed',
        joinedAt: at,
        inviteLink: 'https://t.me/+old',
        inviteLinkRevokedAt: at,
        removedAt: at,
        removalAttempts: 3,
        removalError: 'was slow',
      })
      .where(eq(accessGrants.id, grant.id));
    at = new Date(at.getTime() + 3 * DAY * 1000);
    const back = await grants().grantManually({ ...key(8), periodSeconds: DAY });
    expect(back).toMatchObject({
      state: 'active',
      joinedAt: null,
      inviteLink: null,
      inviteLinkRevokedAt: null,
      removedAt: null,
      removalAttempts: 0,
      removalError: null,
    });
    expect(back.endsAt?.getTime()).toBe(at.getTime() + DAY * 1000);
  });
});
