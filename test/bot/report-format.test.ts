import { describe, expect, it } from 'vitest';
import { ageParts, conversionPercent, formatVolume, statusLabel } from '../../src/bot/features/report-format.js';
import { renderStats } from '../../src/bot/features/stats.js';
import type { InvoiceStatus } from '../../src/db/vocabulary.js';
import { createTranslator } from '../../src/i18n/index.js';
import { formatUtc } from '../../src/notify/messages.js';

const translator = createTranslator({ localeOf: async () => 'en' });

describe('conversionPercent', () => {
  it('is paid / created in percent with one decimal, as a decimal string', () => {
    expect(conversionPercent(2, 3)).toBe('66.7');
    expect(conversionPercent(1, 3)).toBe('33.3');
    expect(conversionPercent(3, 3)).toBe('100');
    expect(conversionPercent(1, 8)).toBe('12.5');
    expect(conversionPercent(1, 200)).toBe('0.5');
    expect(conversionPercent(1, 3000)).toBe('0');
  });

  it('is 0 when nothing was created', () => {
    expect(conversionPercent(0, 0)).toBe('0');
  });
});

describe('formatVolume', () => {
  const volume = [
    { token: 'bUSDT', received: '17', due: '12' },
    { token: 'pUSDC', received: '2.5', due: '2.50' },
  ];
  it('shows what arrived per token, and what was due beside it only where they differ', () => {
    expect(formatVolume(translator.forLocale('en'), volume)).toBe('17 bUSDT (due 12 bUSDT), 2.5 pUSDC');
    expect(formatVolume(translator.forLocale('ru'), volume)).toBe('17 bUSDT (к оплате 12 bUSDT), 2,5 pUSDC');
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
    // A row written by a newer build that was rolled back may hold a status this one does not know.
    const unknown = (status: string) => status as InvoiceStatus;
    expect(statusLabel(t, unknown('Refund<ed>'))).toBe('❔ Refund&lt;ed&gt;');
    expect(statusLabel(t, unknown('Re\u202efund\n✅ Paid'))).toBe('❔ Refund ✅ Paid');
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

describe('/stats in each language', () => {
  const window = { created: 7, paid: 3, expired: 1, volume: [{ token: 'bUSDT', received: '14.5', due: '14.50' }] };
  const stats = { day: window, week: window, allTime: { ...window, created: 0, paid: 0, volume: [] } };

  it('writes the conversion and volume one way per language', () => {
    expect(renderStats(translator.forLocale('en'), stats)).toBe(
      [
        '📊 <b>Invoices in this chat</b>',
        '',
        '<b>Last 24 hours</b>\nCreated: 7 · paid: 3 · expired: 1\nConversion: 42.9%\nReceived: 14.5 bUSDT',
        '',
        '<b>Last 7 days</b>\nCreated: 7 · paid: 3 · expired: 1\nConversion: 42.9%\nReceived: 14.5 bUSDT',
        '',
        '<b>All time</b>\nCreated: 0 · paid: 0 · expired: 1\nConversion: 0%\nReceived: nothing yet',
      ].join('\n'),
    );
    expect(renderStats(translator.forLocale('ru'), stats).split('\n\n')[1]).toBe(
      '<b>За 24 часа</b>\nСоздано: 7 · оплачено: 3 · истекло: 1\nКонверсия: 42,9\u00a0%\nПолучено: 14,5 bUSDT',
    );
  });
});
