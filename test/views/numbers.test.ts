import { describe, expect, it } from 'vitest';
import { formatDecimal, formatMoney, formatPercent } from '../../src/views/numbers.js';

// One way per language: English writes the decimal point and "42.9%", Russian the decimal comma and "42,9 %"
// with a no-break space. Strings in, strings out: an 8-decimal amount keeps every digit.

describe('numbers as each language writes them', () => {
  it('writes amounts with the decimal point in English and the comma in Russian', () => {
    expect(formatMoney('14.50000000', 'bUSDT', 'en')).toBe('14.5 bUSDT');
    expect(formatMoney('14.50000000', 'bUSDT', 'ru')).toBe('14,5 bUSDT');
    expect(formatMoney('10.00000000', 'bUSDT', 'ru')).toBe('10 bUSDT');
    expect(formatDecimal('999999999.99999999', 'ru')).toBe('999999999,99999999');
    expect(formatDecimal('0.00000001', 'en')).toBe('0.00000001');
    expect(formatDecimal('007', 'ru')).toBe('7');
  });

  it('writes percentages "42.9%" in English and "42,9 %" (no-break space) in Russian', () => {
    expect(formatPercent('42.9', 'en')).toBe('42.9%');
    expect(formatPercent('42.9', 'ru')).toBe('42,9\u00a0%');
    expect(formatPercent('100', 'ru')).toBe('100\u00a0%');
    expect(formatPercent('0', 'en')).toBe('0%');
  });
});
