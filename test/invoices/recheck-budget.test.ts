import { describe, expect, it } from 'vitest';
import { createRecheckBudget } from '../../src/invoices/recheck-budget.js';
import { createTestClock } from '../support/clock.js';

// RECHECK_MAX_PER_MINUTE as one budget the reconciler and the taps spend together.

describe('createRecheckBudget', () => {
  it('grants at most the bound in any minute, takes back what was unused, refills as checks age out', () => {
    const clock = createTestClock();
    const budget = createRecheckBudget({ maxPerMinute: 5, now: clock.now });
    expect(budget.take(3)).toBe(3); // the reconciler asks for a batch
    expect(budget.take(1)).toBe(1); // a tap
    expect(budget.take(20)).toBe(1);
    expect(budget.take(1)).toBe(0);
    budget.giveBack(1); // fewer invoices were due than granted
    expect(budget.available()).toBe(1);
    clock.advance(59_999);
    expect(budget.available()).toBe(1);
    clock.advance(1);
    expect(budget.available()).toBe(5);
  });
});
