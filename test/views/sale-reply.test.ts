import { describe, expect, it } from 'vitest';
import { createTranslator } from '../../src/i18n/index.js';
import { saleReply } from '../../src/views/sale.js';
import { invoiceRow } from '../support/invoice-row.js';

// A two-part sale's second payment when the other invoice was paid and its money since withdrawn: the transition
// delivers nothing for it (LINKED_PAID counts Withdrawn as paid), so the buyer is told they paid twice, never that
// the sale is complete.

const t = createTranslator({ localeOf: async () => 'en' }).forLocale('en');
const NOW = new Date(Date.UTC(2026, 10, 26, 8, 20));

describe('saleReply', () => {
  it('the other invoice Paid then Withdrawn: "paid twice", as when it is Paid', () => {
    const original = invoiceRow(NOW, { id: 40, productId: 7, status: 'Withdrawn', paidAmount: '10' });
    const remainder = invoiceRow(NOW, { id: 41, productId: 7, remainderOfInvoiceId: 40, amount: '4' });
    const facts = { status: 'Paid' as const, previousStatus: 'Created' as const, paidAmount: '4', paidToken: 'bUSDT' };
    const withdrawn = saleReply(t, remainder, original, { ...facts, linkedStatus: 'Withdrawn' });
    const paid = saleReply(t, remainder, { ...original, status: 'Paid' }, { ...facts, linkedStatus: 'Paid' });
    expect(withdrawn).toBe(paid);
    expect(withdrawn).toContain('#40');
  });
});
