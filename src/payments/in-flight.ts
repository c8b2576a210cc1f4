// SMARTYPAY_MAX_IN_FLIGHT: at most `size` SMARTy Pay requests at once from this process. A request beyond
// that waits for a free slot, at most until its deadline (SMARTYPAY_TIMEOUT_MS, which bounds the whole call),
// so a burst of /pay queues up here instead of opening hundreds of connections to SMARTy Pay.

export interface InFlightLimit {
  /**
   * Resolves with a release function once a slot is free; rejects with `onTimeout()` if none frees up
   * within `waitMs` (the waiter is then gone from the queue, so it never runs late).
   */
  acquire(waitMs: number, onTimeout: () => Error): Promise<() => void>;
  /** Requests holding a slot now. */
  active(): number;
}

export function createInFlightLimit(size: number): InFlightLimit {
  let active = 0;
  const waiting: Array<() => void> = [];

  function releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = waiting.shift();
      if (next)
        next(); // the slot passes straight to the next waiter
      else active -= 1;
    };
  }

  return {
    active: () => active,
    acquire(waitMs, onTimeout) {
      if (active < size) {
        active += 1;
        return Promise.resolve(releaser());
      }
      return new Promise((resolve, reject) => {
        const waiter = () => {
          clearTimeout(timer);
          resolve(releaser());
        };
        const timer = setTimeout(() => {
          waiting.splice(waiting.indexOf(waiter), 1);
          reject(onTimeout());
        }, waitMs);
        waiting.push(waiter);
      });
    },
  };
}
