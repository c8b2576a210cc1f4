import { afterEach, describe, expect, it } from 'vitest';
import { createTestClock } from '../support/clock.js';
import { issueInvoice, outboxRowsOf } from '../support/flows.js';
import { type Harness, startHarness } from '../support/harness.js';

// REMINDER_MINUTES=0 turns reminders off; the default schedules one 10 minutes before expiry.

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('REMINDER_MINUTES', () => {
  it('0: no reminder is scheduled or sent, even after the reminder time would have passed', async () => {
    const clock = createTestClock();
    h = await startHarness({ now: clock.now, env: { REMINDER_MINUTES: '0', RECHECK_INTERVAL_MS: '600000' } });
    const { row } = await issueInvoice(h, { id: 880_001, type: 'private' });
    expect(row.remindAt).toBeNull();
    clock.advance(55 * 60_000);
    await h.app.workers.reconciler.tick();
    expect((await outboxRowsOf(h, row.id)).map((r) => r.kind)).not.toContain('reminder_reply');
  });

  it('default: the reminder is due 10 minutes before expiry', async () => {
    h = await startHarness();
    const { row } = await issueInvoice(h, { id: 880_002, type: 'private' });
    expect(row.remindAt?.getTime()).toBe(row.expiresAt.getTime() - 10 * 60_000);
  });
});
