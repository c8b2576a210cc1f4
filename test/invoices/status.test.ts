import { describe, expect, it } from 'vitest';
import { canTransition, INVOICE_STATUSES, notificationsFor } from '../../src/invoices/status.js';

describe('invoice state machine', () => {
  it('moves an open invoice to any later state', () => {
    for (const to of ['Confirming', 'Paid', 'SimplePaid', 'OverPaid', 'UnderPaid', 'Expired', 'Invalid']) {
      expect(canTransition('Created', to)).toBe(true);
    }
  });

  it('never moves a paid invoice back', () => {
    for (const paid of ['Paid', 'SimplePaid', 'OverPaid']) {
      for (const to of INVOICE_STATUSES) {
        expect(canTransition(paid, to)).toBe(to === 'Withdrawn');
      }
    }
  });

  it('ignores repeats and stale events', () => {
    expect(canTransition('Paid', 'Paid')).toBe(false);
    expect(canTransition('Paid', 'SimplePaid')).toBe(false);
    expect(canTransition('Confirming', 'Created')).toBe(false);
    expect(canTransition('Expired', 'Created')).toBe(false);
    expect(canTransition('Created', 'Withdrawn')).toBe(false);
  });

  it('records money that arrives after expiry or a partial payment', () => {
    expect(canTransition('Expired', 'Paid')).toBe(true);
    expect(canTransition('UnderPaid', 'Paid')).toBe(true);
    expect(canTransition('UnderPaid', 'Expired')).toBe(false);
  });

  it('treats Cancelled like Expired: a payment still moves it on, expiry does not override it', () => {
    expect(canTransition('Created', 'Cancelled')).toBe(true);
    expect(canTransition('Cancelled', 'Paid')).toBe(true);
    expect(canTransition('Cancelled', 'UnderPaid')).toBe(true);
    expect(canTransition('Cancelled', 'Expired')).toBe(false);
    expect(canTransition('Expired', 'Cancelled')).toBe(false);
    expect(canTransition('Paid', 'Cancelled')).toBe(false);
    expect(notificationsFor('Cancelled')).toEqual(['card_cancelled']);
  });

  it('rejects statuses it does not know', () => {
    expect(canTransition('Created', 'Refunded')).toBe(false);
  });

  it('tells the chat about payments and failures, not about progress', () => {
    expect(notificationsFor('Paid')).toEqual(['paid_reply', 'card_paid']);
    expect(notificationsFor('OverPaid')).toEqual(['overpaid_reply', 'card_paid']);
    expect(notificationsFor('UnderPaid')).toEqual(['underpaid_reply', 'card_closed']);
    expect(notificationsFor('Invalid')).toEqual(['invalid_reply', 'card_closed']);
    expect(notificationsFor('Confirming')).toEqual([]);
  });
});
