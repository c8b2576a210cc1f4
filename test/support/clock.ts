/**
 * A clock tests move by hand, so retries, leases and expiry are tested without sleeping. It keeps
 * ticking with real time between jumps, like a real clock would: rate limits refill as usual.
 */
export interface TestClock {
  now: () => Date;
  advance(ms: number): void;
}

export function createTestClock(): TestClock {
  let offset = 0;
  return {
    now: () => new Date(Date.now() + offset),
    advance: (ms) => {
      offset += ms;
    },
  };
}
