import { describe, expect, it } from 'vitest';
import { outboxApiTimeoutSeconds } from '../../src/notify/outbox.js';
import { outboxPacing } from '../../src/notify/pacing.js';

const intervals = { privateChatIntervalMs: 1100, groupChatIntervalMs: 3100 };

describe('outboxPacing: headroom under TELEGRAM_MAX_PER_SECOND', () => {
  it('30 a second: a bucket of two refilled at 27, so a second sees at most 29 at claim time', () => {
    const pacing = outboxPacing({ perSecond: 30, ...intervals });
    expect(pacing).toEqual({ perSecond: 27, burst: 2, ...intervals });
    expect(pacing.perSecond + pacing.burst).toBe(29);
  });

  it('never refills slower than one a second, and a limit of one allows no burst', () => {
    expect(outboxPacing({ perSecond: 3, ...intervals })).toMatchObject({ perSecond: 1, burst: 2 });
    expect(outboxPacing({ perSecond: 1, ...intervals })).toMatchObject({ perSecond: 1, burst: 1 });
  });

  it('keeps the per-chat intervals as configured', () => {
    expect(outboxPacing({ perSecond: 10, privateChatIntervalMs: 2000, groupChatIntervalMs: 5000 })).toMatchObject({
      privateChatIntervalMs: 2000,
      groupChatIntervalMs: 5000,
    });
  });
});

describe('outboxApiTimeoutSeconds: a Telegram call ends well inside the outbox lease', () => {
  it('is a third of the lease, in whole seconds', () => {
    expect(outboxApiTimeoutSeconds(30_000)).toBe(10);
    expect(outboxApiTimeoutSeconds(10_000)).toBe(3);
  });

  it('is at least one second', () => {
    expect(outboxApiTimeoutSeconds(2_000)).toBe(1);
    expect(outboxApiTimeoutSeconds(0)).toBe(1);
  });
});
