import { describe, expect, it } from 'vitest';
import { missingRight, parsePeriod, parseSetAccess, periodParts } from '../../src/access/rules.js';

describe('periods', () => {
  it('reads 30d, 12h, 90m; refuses the rest and anything under a minute or over ten years', () => {
    expect(parsePeriod('30d')).toBe(2_592_000);
    expect(parsePeriod('12H')).toBe(43_200);
    expect(parsePeriod('90m')).toBe(5_400);
    for (const bad of ['', '0m', '3w', '1.5d', 'd', '-1d', '3651d', '30 d']) expect(parsePeriod(bad)).toBeUndefined();
    expect(periodParts(2_592_000)).toEqual({ unit: 'd', count: 30 });
    expect(periodParts(5_400)).toEqual({ unit: 'm', count: 90 });
    expect(periodParts(7_200)).toEqual({ unit: 'h', count: 2 });
  });
});

describe('/setaccess', () => {
  it('takes a code, a -100 id or @username, and an optional period', () => {
    expect(parseSetAccess('abc -1001234 30d')).toEqual({
      ok: true,
      request: { code: 'abc', chat: -1001234, periodSeconds: 2_592_000 },
    });
    expect(parseSetAccess(' abc  @club_name ')).toEqual({
      ok: true,
      request: { code: 'abc', chat: '@club_name', periodSeconds: null },
    });
    expect(parseSetAccess('')).toEqual({ ok: false, problem: 'usage' });
    expect(parseSetAccess('abc')).toEqual({ ok: false, problem: 'usage' });
    expect(parseSetAccess('abc @club 1d extra')).toEqual({ ok: false, problem: 'usage' });
    expect(parseSetAccess('abc 12345 1d')).toEqual({ ok: false, problem: 'bad_chat' });
    expect(parseSetAccess('abc @club 1y')).toEqual({ ok: false, problem: 'bad_period' });
  });
});

describe('the rights the bot needs', () => {
  it('names the first missing one; the owner has them all', () => {
    expect(missingRight({ status: 'member' })).toEqual({ problem: 'not_admin' });
    expect(missingRight({ status: 'administrator', can_restrict_members: true })).toEqual({
      problem: 'missing_right',
      right: 'can_invite_users',
    });
    expect(missingRight({ status: 'administrator', can_invite_users: true })).toEqual({
      problem: 'missing_right',
      right: 'can_restrict_members',
    });
    expect(
      missingRight({ status: 'administrator', can_invite_users: true, can_restrict_members: true }),
    ).toBeUndefined();
    expect(missingRight({ status: 'creator' })).toBeUndefined();
  });
});
