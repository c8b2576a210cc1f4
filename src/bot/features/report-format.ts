import type { InvoiceStatus } from '../../db/vocabulary.js';
import type { Lookup, Translate } from '../../i18n/index.js';
import { compareDecimals, normaliseDecimal } from '../../invoices/amount.js';
import type { WindowStats } from '../../invoices/reports.js';
import { money, userText } from '../../notify/messages.js';

// Pieces the read-only merchant commands share: status labels, ages, dates, conversion.

const STATUS_KEYS: Record<InvoiceStatus, string> = {
  Created: 'reports-status-open',
  Confirming: 'reports-status-confirming',
  Expired: 'reports-status-expired',
  UnderPaid: 'reports-status-underpaid',
  Invalid: 'reports-status-invalid',
  Paid: 'reports-status-paid',
  SimplePaid: 'reports-status-paid',
  OverPaid: 'reports-status-overpaid',
  Withdrawn: 'reports-status-withdrawn',
  Cancelled: 'reports-status-cancelled',
  Unconfirmed: 'reports-status-unconfirmed',
};

/**
 * A human label. The column is text: a row written by a newer build (then rolled back) may hold a status this
 * build does not know; it is shown by its name.
 */
export function statusLabel(t: Lookup, status: InvoiceStatus): string {
  const key: string | undefined = STATUS_KEYS[status];
  return key ? t(key) : t('reports-status-other', { status: userText(status) });
}

export type AgeParts = { unit: 'min' | 'h' | 'd'; n: number };

/** "5 min" under an hour, "3 h" under a day, then "2 d"; rounded down, never negative. */
export function ageParts(ms: number): AgeParts {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 60) return { unit: 'min', n: minutes };
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return { unit: 'h', n: hours };
  return { unit: 'd', n: Math.floor(hours / 24) };
}

export function formatAge(t: Lookup, ms: number): string {
  const { unit, n } = ageParts(ms);
  return t(`reports-age-${unit}`, { n });
}

/**
 * Paid as a share of created, in percent with one decimal, as a decimal string for formatPercent ("0" when nothing
 * was created). Counted in tenths of a percent with integers, so no float ever reaches the text.
 */
export function conversionPercent(paid: number, created: number): string {
  if (created <= 0) return '0';
  const tenths = String(Math.round((paid * 1000) / created)).padStart(2, '0');
  return normaliseDecimal(`${tenths.slice(0, -1)}.${tenths.slice(-1)}`);
}

/** "11.3 bUSDT (due 17.3 bUSDT), 3 pUSDC (due 2.5 pUSDC)": what arrived, and what was due where they differ. */
export function formatVolume(t: Translate, volume: WindowStats['volume']): string {
  if (volume.length === 0) return t('stats-volume-none');
  return volume
    .map((v) => {
      const received = money(t, v.received, v.token);
      if (compareDecimals(v.received, v.due) === 0) return received;
      return t('stats-volume-due', { received, due: money(t, v.due, v.token) });
    })
    .join(', ');
}
