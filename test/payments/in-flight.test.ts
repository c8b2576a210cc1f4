import { describe, expect, it } from 'vitest';
import { createInFlightLimit } from '../../src/payments/in-flight.js';

// The bound itself, without HTTP: deterministic where the client test can only race two timers.

describe('in-flight limit', () => {
  it('hands out at most `size` slots and passes a released slot straight to the next waiter', async () => {
    const limit = createInFlightLimit(2);
    const timeout = () => new Error('timeout');
    const a = await limit.acquire(1_000, timeout);
    await limit.acquire(1_000, timeout);
    expect(limit.active()).toBe(2);
    let third = false;
    const waiting = limit.acquire(1_000, timeout).then((release) => {
      third = true;
      return release;
    });
    await Promise.resolve();
    expect(third).toBe(false);
    a();
    a(); // a second release of the same slot changes nothing
    (await waiting)();
    expect(third).toBe(true);
    expect(limit.active()).toBe(1);
  });

  it('a waiter that gives up leaves the queue and never runs later', async () => {
    const limit = createInFlightLimit(1);
    const release = await limit.acquire(1_000, () => new Error('unused'));
    let ran = false;
    const gaveUp = limit
      .acquire(20, () => new Error('no slot in time'))
      .then(() => {
        ran = true;
      });
    await expect(gaveUp).rejects.toThrow('no slot in time');
    release();
    await Promise.resolve();
    expect(ran).toBe(false);
    expect(limit.active()).toBe(0);
  });
});
