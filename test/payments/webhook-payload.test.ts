import { describe, expect, it } from 'vitest';
import { hasControlCharacters, isSmartyPayStatus, SMARTYPAY_STATUSES } from '../../src/payments/statuses.js';
import { webhookPayloadSchema } from '../../src/payments/webhook-payload.js';

const VALID = {
  eventId: 'evt-1',
  eventType: 'InvoiceStatusChanged',
  eventTs: '2026-11-26T08:20:00.000Z',
  invoiceId: 'sp-1',
  status: 'Paid',
  amount: '5 bUSDT',
  createdAt: '2026-11-26T08:00:00.000Z',
  expiresAt: '2026-11-26T09:00:00.000Z',
  paidAt: '2026-11-26T08:20:00.000Z',
  paidAmount: '5 bUSDT',
  errorCode: null,
  metadata: '{"chatId":-100,"messageId":7}',
};

describe('webhookPayloadSchema', () => {
  it('accepts a SMARTy Pay payload', () => {
    expect(webhookPayloadSchema.safeParse(VALID).success).toBe(true);
  });

  it.each([
    'eventId',
    'eventType',
    'eventTs',
    'invoiceId',
    'status',
    'amount',
    'createdAt',
    'expiresAt',
    'paidAt',
    'paidAmount',
    'metadata',
  ] as const)('refuses a NUL or another control character in %s', (field) => {
    for (const bad of ['\u0000', '\u0001', '\n', '\u001f', '\u007f']) {
      const value = `${field === 'metadata' ? '{}' : (VALID[field] ?? 'x')}${bad}`;
      expect(webhookPayloadSchema.safeParse({ ...VALID, [field]: value }).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('leaves the question whether a status is SMARTy Pay’s to the service (an unknown one is ignored, not refused)', () => {
    expect(webhookPayloadSchema.safeParse({ ...VALID, status: 'Refunded' }).success).toBe(true);
  });
});

describe('SMARTy Pay statuses', () => {
  it('are exactly those SMARTy Pay defines; our local Cancelled is not one', () => {
    expect([...SMARTYPAY_STATUSES].sort()).toEqual(
      [
        'Confirming',
        'Created',
        'Expired',
        'Invalid',
        'OverPaid',
        'Paid',
        'SimplePaid',
        'UnderPaid',
        'Withdrawn',
      ].sort(),
    );
    for (const status of ['Cancelled', 'local:Cancelled', 'paid', 'Confirmed', '', 'Paid ']) {
      expect(isSmartyPayStatus(status), status).toBe(false);
    }
  });

  it('finds C0 controls and DEL, nothing else', () => {
    expect(hasControlCharacters('sp-1 Кофе ☕ \u00a0\u202e')).toBe(false);
    for (let code = 0; code < 0x20; code++) expect(hasControlCharacters(`a${String.fromCharCode(code)}`)).toBe(true);
    expect(hasControlCharacters('\u007f')).toBe(true);
  });
});
