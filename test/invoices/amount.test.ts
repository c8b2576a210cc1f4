import { describe, expect, it } from 'vitest';
import { compareDecimals, normaliseDecimal, parseAmount, subtractDecimals } from '../../src/invoices/amount.js';

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
    ['1,000.50', 'not_a_number'],
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
