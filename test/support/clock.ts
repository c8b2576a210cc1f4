/**
 * A clock tests move by hand, so retries, leases and expiry are tested without sleeping. Frozen
 * between jumps, so "not before N seconds" is exact however slow the machine. (Telegram send pacing
 * runs on the wall clock, so a frozen domain clock does not starve it.)
 */
export interface TestClock {
  now: () => Date;
  advance(ms: number): void;
}

export function createTestClock(start = Date.now()): TestClock {
  let current = start;
  return {
    now: () => new Date(current),
    advance: (ms) => {
      current += ms;
    },
  };
}
