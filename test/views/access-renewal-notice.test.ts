import { describe, expect, it } from 'vitest';
import { createTranslator } from '../../src/i18n/index.js';
import { renderAccessRenewal } from '../../src/views/access.js';
import { invoiceRow } from '../support/invoice-row.js';

// The renewal reminder with the buyer's invoice for the product: an open one has its Pay button; a part-paid one
// (the issue path hands it back rather than make a second) must not offer its full amount again.

const translator = createTranslator({ localeOf: async () => 'en' });
const NOW = new Date(Date.UTC(2026, 10, 26, 8, 20));
const ENDS = new Date(Date.UTC(2026, 10, 29, 8, 20));
const chat = { title: 'Club', id: -100_1 };

describe('renderAccessRenewal', () => {
  it('an open renewal invoice: its Pay button', () => {
    const notice = renderAccessRenewal(translator.forLocale('en'), chat, ENDS, invoiceRow(NOW));
    expect(notice.replyMarkup?.inline_keyboard[0]?.[0]).toMatchObject({ text: '💳 Pay 10 bUSDT' });
  });

  it('a part-paid one: no Pay button, the way to finish it, in both languages', () => {
    const underpaid = invoiceRow(NOW, { status: 'UnderPaid', paidAmount: '4', paidToken: 'bUSDT' });
    for (const locale of ['en', 'ru']) {
      const notice = renderAccessRenewal(translator.forLocale(locale), chat, ENDS, underpaid);
      expect(notice.replyMarkup).toBeUndefined();
      expect(notice.text).toContain(locale === 'en' ? 'part-paid' : 'частично');
      expect(notice.text).toContain(String(underpaid.id));
    }
  });
});
