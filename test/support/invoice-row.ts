import type { InvoiceRow } from '../../src/db/schema.js';

// A complete invoice row for rendering tests that need no database: invoice #12 in chat -100, card 6 replying to
// /pay 5, 10 bUSDT, created at `now`; each test overrides what it is about.
export function invoiceRow(now: Date, values: Partial<InvoiceRow> = {}): InvoiceRow {
  return {
    id: 12,
    smartyPayId: 'sp-12',
    chatId: -100,
    notifyChatId: -100,
    payMessageId: 5,
    inlineMessageId: null,
    locale: 'en',
    cardMessageId: 6,
    issuedByUserId: 4242,
    amount: '10.00000000',
    token: 'bUSDT',
    description: null,
    status: 'Created',
    checkoutUrl: 'https://checkout.example/?invoice-id=sp-12',
    createdAt: now,
    expiresAt: new Date(now.getTime() + 60 * 60_000),
    paidAt: null,
    paidAmount: null,
    paidToken: null,
    nextCheckAt: null,
    checkFailures: 0,
    remainderOfInvoiceId: null,
    reissueOfInvoiceId: null,
    productId: null,
    buyerName: null,
    buyerUsername: null,
    cancelledAt: null,
    cancelledByUserId: null,
    remindAt: null,
    statusCheckedAt: null,
    updatedAt: now,
    ...values,
  };
}
