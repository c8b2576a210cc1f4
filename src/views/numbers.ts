import { normaliseDecimal } from '../decimal.js';
import type { Locale } from '../i18n/index.js';

// Numbers as a reader of each language writes them: English "14.5 bUSDT" and "42.9%", Russian "14,5 bUSDT" and
// "42,9 %" (a no-break space before %, so it never wraps alone). Every amount or percentage shown in the chat goes
// through here; CSV and everything sent to SMARTy Pay keep the plain decimal string. Amounts stay strings: this is
// string manipulation, never Number(), so no digit of an 8-decimal amount is lost.

const DECIMAL_MARK: Record<Locale, string> = { en: '.', ru: ',' };
const PERCENT: Record<Locale, (value: string) => string> = {
  en: (value) => `${value}%`,
  ru: (value) => `${value}\u00a0%`,
};

/** "1.50000000" → "1.5" (en) or "1,5" (ru). */
export function formatDecimal(value: string, locale: Locale): string {
  return normaliseDecimal(value).replace('.', DECIMAL_MARK[locale]);
}

/** "14.5 bUSDT" / "14,5 bUSDT". */
export function formatMoney(amount: string, token: string, locale: Locale): string {
  return `${formatDecimal(amount, locale)} ${token}`;
}

/** A percentage given as a decimal string ("42.9") → "42.9%" / "42,9 %". */
export function formatPercent(value: string, locale: Locale): string {
  return PERCENT[locale](formatDecimal(value, locale));
}
