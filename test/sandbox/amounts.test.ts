import { describe, expect, it } from 'vitest';
import { lessThan, moreThan } from '../../sandbox/amounts.js';

describe('simulated checkout amounts', () => {
  it('pays half and one and a half times, exactly, in at most 8 decimals', () => {
    expect(lessThan('5')).toBe('2.5');
    expect(moreThan('5')).toBe('7.5');
    expect(lessThan('12.345')).toBe('6.1725');
    expect(moreThan('0.99')).toBe('1.485');
    expect(lessThan('0.00000003')).toBe('0.00000001');
    expect(moreThan('1000000000')).toBe('1500000000');
  });

  it('never pays nothing, even for the smallest unit', () => {
    expect(lessThan('0.00000001')).toBe('0.00000001');
    expect(moreThan('0.00000001')).toBe('0.00000002');
  });
});
