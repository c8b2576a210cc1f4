import { afterEach, describe, expect, it } from 'vitest';
import { createTestClock } from '../support/clock.js';
import { issueInvoice, outboxRowsOf } from '../support/flows.js';
import { type Harness, startHarness } from '../support/harness.js';

// REMINDER_MINUTES=0 turns reminders off. The default of 10 is test/config.test.ts's; that a reminder is due
// REMINDER_MINUTES before expiry, and sent then, is test/e2e/lifecycle.test.ts's.

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
});
