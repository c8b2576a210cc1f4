// The sandbox's clock: wall time plus an offset that only grows, so "Let it expire" and "+5 min" can
// move the app past expiry or a re-check without waiting. The app receives `now`; request signatures
// to the SMARTy Pay simulator keep using wall time, as they would against the real service.

export interface SandboxClock {
  now(): Date;
  /** Moves the clock forward by `ms` (never back). */
  advance(ms: number): void;
  /** Moves the clock forward to `at` if it is still ahead. */
  advanceTo(at: Date): void;
  offsetMs(): number;
}

export function createSandboxClock(wall: () => number = Date.now): SandboxClock {
  let offset = 0;
  const now = () => new Date(wall() + offset);
  return {
    now,
    advance(ms) {
      offset += Math.max(0, ms);
    },
    advanceTo(at) {
      offset += Math.max(0, at.getTime() - now().getTime());
    },
    offsetMs: () => offset,
  };
}
