import { describe, expect, it } from 'vitest';
import type { AccessGrantRow } from '../../src/db/schema.js';
import { endingSoonMs, memberStanding } from '../../src/views/access.js';

// One rule for /members and the dashboard's Members tab (which calls "ended" and "soon" both "lapsing").

const HOUR = 3_600_000;
const now = new Date('2027-01-10T12:00:00Z');
const grant = (state: AccessGrantRow['state'], endsInHours: number | null) =>
  ({ state, endsAt: endsInHours === null ? null : new Date(now.getTime() + endsInHours * HOUR) }) as AccessGrantRow;

describe('memberStanding', () => {
  it('ending soon from the first renewal reminder, at least a day', () => {
    expect(endingSoonMs([72, 24])).toBe(72 * HOUR);
    expect(endingSoonMs([6])).toBe(24 * HOUR);
    expect(endingSoonMs([])).toBe(24 * HOUR);
  });

  it('removed, ended (or being removed), ending soon, active; a lifetime grant is active', () => {
    const soon = endingSoonMs([72, 24]);
    expect(memberStanding(grant('removed', -5), now, soon)).toBe('removed');
    expect(memberStanding(grant('removing', 10), now, soon)).toBe('ended');
    expect(memberStanding(grant('active', 0), now, soon)).toBe('ended');
    expect(memberStanding(grant('active', 71), now, soon)).toBe('soon');
    expect(memberStanding(grant('active', 73), now, soon)).toBe('active');
    expect(memberStanding(grant('active', null), now, soon)).toBe('active');
  });
});
