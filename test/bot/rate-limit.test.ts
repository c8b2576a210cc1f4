import { describe, expect, it } from 'vitest';
import { createIssueLimit } from '../../src/bot/rate-limit.js';

// The per-user limit shared by /pay, inline mode and Issue again: N invoices in the last 60 s.

function limitWith(counts: Record<number, number>, perMinute: number) {
  const asked: Array<{ userId: number; since: Date }> = [];
  const now = new Date('2026-11-26T10:00:00Z');
  const limit = createIssueLimit({
    invoices: {
      countIssuedSince: async (userId, since) => {
        asked.push({ userId, since });
        return counts[userId] ?? 0;
      },
    },
    perMinute,
    now: () => now,
  });
  return { limit, asked };
}

describe('createIssueLimit', () => {
  it('is reached at N invoices in the last minute', async () => {
    const { limit, asked } = limitWith({ 1: 2, 2: 1 }, 2);
    expect(await limit.reached(1)).toBe(true);
    expect(await limit.reached(2)).toBe(false);
    expect(asked[0]).toEqual({ userId: 1, since: new Date('2026-11-26T09:59:00Z') });
  });

  it('is never reached when off (0) or for an unknown sender, and then asks nothing', async () => {
    const off = limitWith({ 1: 1000 }, 0);
    expect(await off.limit.reached(1)).toBe(false);
    const anonymous = limitWith({}, 1);
    expect(await anonymous.limit.reached(undefined)).toBe(false);
    expect([...off.asked, ...anonymous.asked]).toHaveLength(0);
  });
});
