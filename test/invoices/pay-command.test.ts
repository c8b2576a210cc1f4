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

  it('matches the token case-insensitively and keeps the description, whitespace collapsed', () => {
    expect(parsePayCommand('1,5 pusdc  Кофе ☕ and  cake ', POLICY)).toEqual({
      ok: true,
      request: { amount: '1.5', token: 'pUSDC', description: 'Кофе ☕ and cake' },
    });
  });

  it('refuses amounts grouped into thousands, naming what it read, however the groups are separated', () => {
    for (const [args, word] of [
      ['1 000', '1 000'],
      ['1 000 bUSDT', '1 000'],
      ['10 000,50 coffee', '10 000,50'],
      ['1\u00a0000', '1 000'],
      ['1\u202f000 bUSDT', '1 000'],
      ['1\u2009000', '1 000'],
      ['1  000', '1 000'],
      ['5 100 roses', '5 100'],
      ['1.000', '1.000'],
      ['1,000 bUSDT', '1,000'],
      ["1'000", "1'000"],
      ['1,000.50', '1,000.50'],
    ]) {
      expect(parsePayCommand(args as string, POLICY), args).toEqual({ ok: false, problem: 'ambiguous_grouping', word });
    }
  });

  it('keeps decimals and a description that merely starts with digits', () => {
    for (const [args, amount, description] of [
      ['0,99', '0.99', undefined],
      ['12.5 bUSDT', '12.5', undefined],
      ['2,5 tea', '2.5', 'tea'],
      ['0.001', '0.001', undefined],
      ['1.0001', '1.0001', undefined],
      ['1.00', '1', undefined],
      ['1000 000000', '1000', '000000'],
      ['5 bUSDT 100 roses', '5', '100 roses'],
      ['5 1000 roses', '5', '1000 roses'],
      ['5 10 roses', '5', '10 roses'],
    ]) {
      expect(parsePayCommand(args as string, POLICY), args).toEqual({
        ok: true,
        request: { amount, token: 'bUSDT', description },
      });
    }
  });

  it('stores the description as one clean line: no controls, format characters or line breaks', () => {
    const parsed = parsePayCommand(
      '10 bUSDT Coffee\n✅ Paid · Received: 10 bUSDT\u202e\u2066x\u2069\u200b\u200d\ufeff\t\u0000end\u2028\u2029',
      POLICY,
    );
    expect(parsed).toEqual({
      ok: true,
      request: { amount: '10', token: 'bUSDT', description: 'Coffee ✅ Paid · Received: 10 bUSDTx end' },
    });
  });

  it('reads the token the person saw, even with an invisible character in it', () => {
    expect(parsePayCommand('5 pUSDC\u200b lunch', POLICY)).toEqual({
      ok: true,
      request: { amount: '5', token: 'pUSDC', description: 'lunch' },
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

  it('rejects missing and bad amounts, naming the word it read as the amount', () => {
    expect(parsePayCommand('', POLICY)).toEqual({ ok: false, problem: 'missing_amount' });
    expect(parsePayCommand('   ', POLICY)).toEqual({ ok: false, problem: 'missing_amount' });
    expect(parsePayCommand('0 bUSDT', POLICY)).toEqual({ ok: false, problem: 'not_positive', word: '0' });
    expect(parsePayCommand('-3', POLICY)).toEqual({ ok: false, problem: 'not_positive', word: '-3' });
    expect(parsePayCommand('lots', POLICY)).toEqual({ ok: false, problem: 'not_a_number', word: 'lots' });
    expect(parsePayCommand('1e309', POLICY)).toEqual({ ok: false, problem: 'not_a_number', word: '1e309' });
    expect(parsePayCommand('0.123456789', POLICY)).toEqual({
      ok: false,
      problem: 'too_many_decimals',
      word: '0.123456789',
    });
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
