import { describe, expect, it } from 'vitest';
import { parsePayCommand } from '../../src/invoices/pay-command.js';
import { MAINNET_TOKENS } from '../../src/payments/currencies.js';

const POLICY = { defaultToken: 'bUSDT', accepted: MAINNET_TOKENS };

describe('parsePayCommand', () => {
  it('uses the default token when none is given', () => {
    expect(parsePayCommand('5', POLICY)).toEqual({
      ok: true,
      request: { amount: '5', token: 'bUSDT', description: undefined },
    });
  });

  it('matches the token case-insensitively and keeps the description verbatim', () => {
    expect(parsePayCommand('1,5 pusdc  Кофе ☕ and  cake ', POLICY)).toEqual({
      ok: true,
      request: { amount: '1.5', token: 'pUSDC', description: 'Кофе ☕ and  cake' },
    });
  });

  it('treats a non-token second word as the start of the description', () => {
    expect(parsePayCommand('2 coffee beans', POLICY)).toEqual({
      ok: true,
      request: { amount: '2', token: 'bUSDT', description: 'coffee beans' },
    });
  });

  it('rejects a ticker-shaped word that is not a SMARTy Pay token', () => {
    expect(parsePayCommand('5 USDTT lunch', POLICY)).toEqual({ ok: false, problem: 'unknown_token', word: 'USDTT' });
    expect(parsePayCommand('5 ETH', POLICY)).toEqual({ ok: false, problem: 'unknown_token', word: 'ETH' });
  });

  it('rejects missing and bad amounts', () => {
    expect(parsePayCommand('', POLICY)).toEqual({ ok: false, problem: 'missing_amount' });
    expect(parsePayCommand('   ', POLICY)).toEqual({ ok: false, problem: 'missing_amount' });
    expect(parsePayCommand('0 bUSDT', POLICY)).toEqual({ ok: false, problem: 'not_positive' });
    expect(parsePayCommand('-3', POLICY)).toEqual({ ok: false, problem: 'not_positive' });
    expect(parsePayCommand('lots', POLICY)).toEqual({ ok: false, problem: 'not_a_number' });
    expect(parsePayCommand('1e309', POLICY)).toEqual({ ok: false, problem: 'not_a_number' });
  });

  it('limits the description to 200 characters, counting emoji as one', () => {
    expect(parsePayCommand(`1 bUSDT ${'☕'.repeat(200)}`, POLICY).ok).toBe(true);
    expect(parsePayCommand(`1 bUSDT ${'x'.repeat(201)}`, POLICY)).toEqual({
      ok: false,
      problem: 'description_too_long',
    });
  });

  it('refuses a real SMARTy Pay token this bot does not accept', () => {
    expect(parsePayCommand('5 btBUSD', POLICY)).toEqual({ ok: false, problem: 'token_not_accepted', word: 'btBUSD' });
    expect(parsePayCommand('5 btbusd', { defaultToken: 'btBUSD', accepted: ['btBUSD'] })).toMatchObject({ ok: true });
  });
});
