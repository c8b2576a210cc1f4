import { describe, expect, it } from 'vitest';
import { ageParts, conversionPercent, formatVolume, statusLabel } from '../../src/bot/features/report-format.js';
import { createTranslator } from '../../src/i18n/index.js';
import { formatUtc } from '../../src/notify/messages.js';

const translator = createTranslator({ localeOf: async () => 'en' });

describe('conversionPercent', () => {
  it('is paid / created in percent with one decimal', () => {
    expect(conversionPercent(2, 3)).toBe(66.7);
    expect(conversionPercent(1, 3)).toBe(33.3);
    expect(conversionPercent(3, 3)).toBe(100);
    expect(conversionPercent(1, 8)).toBe(12.5);
  });

  it('is 0 when nothing was created', () => {
    expect(conversionPercent(0, 0)).toBe(0);
  });
});

describe('formatVolume', () => {
  const volume = [
    { token: 'bUSDT', received: '17', due: '12' },
    { token: 'pUSDC', received: '2.5', due: '2.50' },
  ];
  it('shows what arrived per token, and what was due beside it only where they differ', () => {
    expect(formatVolume(translator.forLocale('en'), volume)).toBe('17 bUSDT (due 12 bUSDT), 2.5 pUSDC');
    expect(formatVolume(translator.forLocale('ru'), volume)).toBe('17 bUSDT (по счетам — 12 bUSDT), 2.5 pUSDC');
    expect(formatVolume(translator.forLocale('en'), [])).toBe('nothing yet');
  });
});

describe('ageParts', () => {
  it('counts minutes under an hour, hours under a day, then days, rounding down', () => {
    expect(ageParts(0)).toEqual({ unit: 'min', n: 0 });
    expect(ageParts(5 * 60_000 + 59_000)).toEqual({ unit: 'min', n: 5 });
    expect(ageParts(59 * 60_000)).toEqual({ unit: 'min', n: 59 });
    expect(ageParts(60 * 60_000)).toEqual({ unit: 'h', n: 1 });
    expect(ageParts(23 * 3_600_000 + 59 * 60_000)).toEqual({ unit: 'h', n: 23 });
    expect(ageParts(50 * 3_600_000)).toEqual({ unit: 'd', n: 2 });
  });

  it('never goes negative (a clock a little behind)', () => {
    expect(ageParts(-5_000)).toEqual({ unit: 'min', n: 0 });
  });
});

describe('labels and dates', () => {
  it('labels known statuses, Cancelled included, and shows an unknown one escaped', () => {
    const t = translator.forLocale('en');
    expect(statusLabel(t, 'SimplePaid')).toBe('✅ Paid');
    expect(statusLabel(t, 'Cancelled')).toBe('🚫 Cancelled');
    expect(statusLabel(t, 'Refund<ed>')).toBe('❔ Refund&lt;ed&gt;');
    expect(statusLabel(t, 'Re\u202efund\n✅ Paid')).toBe('❔ Refund ✅ Paid');
    expect(statusLabel(translator.forLocale('ru'), 'Expired')).toBe('⌛ Срок истёк');
  });

  it('formats UTC times in the reader language', () => {
    const date = new Date(Date.UTC(2026, 10, 26, 8, 5));
    expect(formatUtc(translator.forLocale('en'), date)).toBe('26 Nov 2026, 08:05 UTC');
    expect(formatUtc(translator.forLocale('ru'), date)).toBe('26 нояб. 2026, 08:05 UTC');
    // Every month has its name in both languages (the last variant is only the fallback).
    for (const locale of ['en', 'ru']) {
      const names = new Set(
        Array.from({ length: 12 }, (_, m) => formatUtc(translator.forLocale(locale), new Date(Date.UTC(2026, m, 1)))),
      );
      expect(names.size, locale).toBe(12);
    }
  });
});
