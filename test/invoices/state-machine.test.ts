import { describe, expect, it } from 'vitest';
import { CANCEL_REFUSALS } from '../../src/bot/features/cancel.js';
import {
  CARD_EDIT_KINDS,
  INVOICE_STATUSES,
  type InvoiceStatus,
  NOTIFICATION_KINDS,
  type NotificationKind,
} from '../../src/db/vocabulary.js';
import {
  canTransition,
  MONEY_ARRIVED_STATUSES,
  notificationsFor,
  OPEN_STATUSES,
  PAID_STATUSES,
  RECHECKED_STATUSES,
  SETTLED_STATUSES,
  STATE_MACHINE,
} from '../../src/invoices/state-machine.js';
import { isEdit } from '../../src/notify/claims.js';
import { SMARTYPAY_STATUSES } from '../../src/payments/statuses.js';

// The table against the rules as docs/architecture.md states them, written out here independently: every
// (from, to) pair against the ranks, who queues each notification kind, and the status sets derived from the table.
// What each status tells the chat is the doc's table itself, held to the code by test/docs-state-machine.test.ts.

/** Higher rank wins; Withdrawn only follows a settled payment. */
const RANK: Record<InvoiceStatus, number> = {
  Unconfirmed: 0,
  Created: 0,
  Confirming: 1,
  Expired: 2,
  Cancelled: 2,
  UnderPaid: 3,
  Invalid: 4,
  Paid: 5,
  SimplePaid: 5,
  OverPaid: 5,
  Withdrawn: 6,
};
const SETTLED: readonly InvoiceStatus[] = ['Paid', 'SimplePaid', 'OverPaid'];
const expectedMove = (from: InvoiceStatus, to: InvoiceStatus) =>
  to === 'Withdrawn' ? SETTLED.includes(from) : RANK[to] > RANK[from];

/** The kinds the state machine does not queue, and who does (in the same transaction as the change). */
const QUEUED_ELSEWHERE: Partial<Record<NotificationKind, string>> = {
  new_card: 'src/invoices/issue.ts, with the invoice',
  card_inline: 'src/invoices/issue.ts, with an inline invoice',
  card_linked: 'src/invoices/transition.ts, when the other invoice of a two-part sale settles',
  reminder_reply: "src/invoices/lifecycle.ts's reminders statement",
  access_renewal: "src/notify/access-renewal.ts, with the grant's reminder round",
  access_removed: 'src/notify/access-lapse.ts, with the grant marked removed',
  access_rights_lost: 'src/notify/access-lapse.ts, when a removal first finds the right missing',
};

describe('invoice state machine', () => {
  for (const from of INVOICE_STATUSES) {
    it(`from ${from}: moves exactly by rank`, () => {
      const allowed = INVOICE_STATUSES.filter((to) => canTransition(from, to));
      expect(allowed).toEqual(INVOICE_STATUSES.filter((to) => expectedMove(from, to)));
    });
  }

  it('never moves a paid invoice back, nor to the same status', () => {
    for (const paid of SETTLED) {
      expect(INVOICE_STATUSES.filter((to) => canTransition(paid, to))).toEqual(['Withdrawn']);
    }
    for (const status of INVOICE_STATUSES) expect(canTransition(status, status)).toBe(false);
  });

  it('treats Cancelled like Expired: a payment still moves it on, expiry does not override it', () => {
    expect(canTransition('Created', 'Cancelled')).toBe(true);
    expect(canTransition('Cancelled', 'Paid')).toBe(true);
    expect(canTransition('Cancelled', 'Expired')).toBe(false);
    expect(canTransition('Expired', 'Cancelled')).toBe(false);
  });

  it('only UnderPaid may repeat (a larger amount), and only its notifications are keyed by amount', () => {
    expect(INVOICE_STATUSES.filter((status) => STATE_MACHINE[status].again !== undefined)).toEqual(['UnderPaid']);
  });

  it('takes from SMARTy Pay exactly its own statuses; Cancelled only from /cancel, Expired also from our expiry', () => {
    const remote = INVOICE_STATUSES.filter((status) => STATE_MACHINE[status].by.includes('remote'));
    expect([...remote].sort()).toEqual([...SMARTYPAY_STATUSES].sort());
    expect(INVOICE_STATUSES.filter((status) => STATE_MACHINE[status].by.includes('cancel'))).toEqual(['Cancelled']);
    expect(INVOICE_STATUSES.filter((status) => STATE_MACHINE[status].by.includes('expire'))).toEqual(['Expired']);
  });

  it('derives the status sets SQL and the bot use', () => {
    expect(OPEN_STATUSES).toEqual(['Created', 'Confirming']);
    expect(RECHECKED_STATUSES).toEqual(['Created', 'Confirming', 'Cancelled', 'UnderPaid']);
    expect(SETTLED_STATUSES).toEqual(SETTLED);
    expect(PAID_STATUSES).toEqual([...SETTLED, 'Withdrawn']);
    expect(MONEY_ARRIVED_STATUSES).toEqual(['UnderPaid', ...SETTLED, 'Withdrawn']);
  });

  it('/cancel refuses exactly what the state machine does not allow', () => {
    for (const status of INVOICE_STATUSES) {
      expect([status, CANCEL_REFUSALS[status] === null]).toEqual([status, canTransition(status, 'Cancelled')]);
    }
  });
});

describe('notification kinds', () => {
  it('card edits, and only they, start with card_ (the outbox SQL and its indexes rely on it)', () => {
    for (const kind of NOTIFICATION_KINDS) {
      expect([kind, isEdit(kind)]).toEqual([kind, kind.startsWith('card_')]);
    }
    expect(CARD_EDIT_KINDS.every((kind) => NOTIFICATION_KINDS.includes(kind))).toBe(true);
  });

  it('each kind is queued by a status of the state machine or by one writer named here, not both', () => {
    const byStatus = new Set(INVOICE_STATUSES.flatMap((status) => notificationsFor(status)));
    for (const kind of NOTIFICATION_KINDS) {
      const queued = [byStatus.has(kind) && 'the state machine', QUEUED_ELSEWHERE[kind]].filter(Boolean);
      expect([kind, queued.length], `${kind}: ${queued.join(' and ') || 'nothing queues it'}`).toEqual([kind, 1]);
    }
  });
});
