// RECHECK_MAX_PER_MINUTE: how many status checks this process may send SMARTy Pay in any minute. One budget
// object (built in main.ts) is shared by the reconciler and "Check status" taps, so taps cannot add
// checks on top of the bound: a customer tapping 100 cards spends the same budget the re-checks use.

export interface RecheckBudget {
  /** Checks still allowed now. */
  available(): number;
  /** Takes up to `wanted` checks; returns how many it could. */
  take(wanted: number): number;
  /** Gives back `unused` of what `take` granted (fewer invoices were due than granted). */
  giveBack(unused: number): void;
}

export function createRecheckBudget(deps: { maxPerMinute: number; now?: (() => Date) | undefined }): RecheckBudget {
  const now = deps.now ?? (() => new Date());
  const recent: number[] = []; // times of checks in the last minute, oldest first

  function available(at: number): number {
    while (recent.length && (recent[0] ?? 0) <= at - 60_000) recent.shift();
    return Math.max(0, deps.maxPerMinute - recent.length);
  }

  return {
    available: () => available(now().getTime()),
    take(wanted) {
      const at = now().getTime();
      const taken = Math.min(Math.max(0, wanted), available(at));
      for (let i = 0; i < taken; i++) recent.push(at);
      return taken;
    },
    giveBack(unused) {
      if (unused > 0) recent.splice(Math.max(0, recent.length - unused), unused);
    },
  };
}
