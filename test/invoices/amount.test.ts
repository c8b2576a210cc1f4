import { describe, expect, it } from 'vitest';
import { compareDecimals, normaliseDecimal, subtractDecimals } from '../../src/decimal.js';
import { isAmbiguousGrouping, parseAmount } from '../../src/invoices/amount.js';

describe('parseAmount', () => {
  it.each([
    ['1.99', '1.99'],
    ['0.5', '0.5'],
    ['1,5', '1.5'],
    ['10', '10'],
    ['007.50', '7.5'],
    ['0.00000001', '0.00000001'],
    ['1000000000', '1000000000'],
    ['999999999.99999999', '999999999.99999999'],
  ])('reads %s as %s', (input, expected) => {
    expect(parseAmount(input)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['', 'not_a_number'],
    ['abc', 'not_a_number'],
    ['1e309', 'not_a_number'],
    ['1e3', 'not_a_number'],
    ['Infinity', 'not_a_number'],
    ['NaN', 'not_a_number'],
    ['.5', 'not_a_number'],
    ['1.', 'not_a_number'],
    ['1,5,0', 'not_a_number'],
    ['12,34,567', 'not_a_number'],
    ['1 5', 'not_a_number'],
    ['0x10', 'not_a_number'],
    ['0', 'not_positive'],
    ['0.000', 'not_positive'],
    ['-1', 'not_positive'],
    ['-0.5', 'not_positive'],
    ['0.123456789', 'too_many_decimals'],
    ['1000000000.01', 'too_large'],
    ['99999999999', 'too_large'],
  ])('rejects %j as %s', (input, reason) => {
    expect(parseAmount(input)).toEqual({ ok: false, reason });
  });

  // Exactly 3 digits after one separator with a 1–3 digit integer part not starting with 0, or any shape of
  // groups of three with several separators or a space/apostrophe separator.
  it.each([
    '1.000',
    '1,000',
    '1.500',
    '12,500',
    '999.999',
    '100.000',
    '1.000.000',
    '1,000,000',
    '1,000.50',
    '1.000,5',
    '1 000',
    '10 000',
    '1 000,50',
    '1\u00a0000',
    '1\u202f000',
    '1\u2009000',
    '1\u2007000',
    "1'000",
    '1\u2019000',
    "1'000'000.25",
    '1 000.000',
  ])('refuses the thousands grouping %j as ambiguous', (input) => {
    expect(isAmbiguousGrouping(input)).toBe(true);
    expect(parseAmount(input)).toEqual({ ok: false, reason: 'ambiguous_grouping' });
  });

  it.each([
    ['0.001', '0.001'],
    ['0,500', '0.5'],
    ['00.001', '0.001'],
    ['01.000', '1'],
    ['1.00', '1'],
    ['1.0001', '1.0001'],
    ['1.0', '1'],
    ['12.5', '12.5'],
    ['2,5', '2.5'],
    ['0,99', '0.99'],
    ['1000', '1000'],
    ['1000.000', '1000'],
    ['1234.567', '1234.567'],
    ['12.34', '12.34'],
    ['1.5000', '1.5'],
  ])('keeps %j a plain decimal (%s)', (input, value) => {
    expect(isAmbiguousGrouping(input)).toBe(false);
    expect(parseAmount(input)).toEqual({ ok: true, value });
  });

  it('checks every integer width around the rule: 1–3 digits before exactly 3 decimals is ambiguous', () => {
    for (const integer of ['1', '9', '10', '99', '100', '999', '1000', '0', '00', '000', '05']) {
      for (const fraction of ['0', '00', '000', '0000', '5', '50', '500', '5000']) {
        for (const mark of ['.', ',']) {
          const ambiguous = /^[1-9]\d{0,2}$/.test(integer) && fraction.length === 3;
          expect(isAmbiguousGrouping(`${integer}${mark}${fraction}`), `${integer}${mark}${fraction}`).toBe(ambiguous);
        }
      }
    }
  });

  it('allows trailing zeros beyond 8 digits because they do not change the value', () => {
    expect(parseAmount('1.5000000000')).toEqual({ ok: true, value: '1.5' });
  });
});

describe('decimal arithmetic without floats', () => {
  it('compares exactly', () => {
    expect(compareDecimals('0.1', '0.10')).toBe(0);
    expect(compareDecimals('10', '9.99999999')).toBe(1);
    expect(compareDecimals('0.3', '0.30000001')).toBe(-1);
  });
  it('subtracts exactly where floats would not', () => {
    expect(subtractDecimals('0.3', '0.1')).toBe('0.2');
    expect(subtractDecimals('5.5', '5')).toBe('0.5');
    expect(subtractDecimals('1000000000', '0.00000001')).toBe('999999999.99999999');
  });
  it('normalises database numerics', () => {
    expect(normaliseDecimal('1.50000000')).toBe('1.5');
    expect(normaliseDecimal('10.00000000')).toBe('10');
  });
});
