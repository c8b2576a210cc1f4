import { compareDecimals } from '../decimal.js';

// Amounts are decimal strings from the chat to the database; never JS floats (arithmetic: src/decimal.ts).

export const MAX_FRACTION_DIGITS = 8;

export type AmountResult = { ok: true; value: string } | { ok: false; reason: AmountProblem };
export type AmountProblem = 'not_a_number' | 'not_positive' | 'too_many_decimals' | 'too_large' | 'ambiguous_grouping';

const DECIMAL = /^(\d+)(?:[.,](\d+))?$/;

/**
 * Characters people put between thousands: "1 000" (space, no-break space U+00A0, figure space U+2007,
 * thin space U+2009, narrow no-break space U+202F), "1'000" / "1’000" (Swiss), "1.000" / "1,000".
 */
export const GROUP_SEPARATORS = " \u00a0\u2007\u2009\u202f'\u2019.,";
const SEPARATOR = `[${GROUP_SEPARATORS}]`;
/** A leading group of 1–3 digits (never starting with 0), then one or more groups of exactly 3 digits. */
const GROUPED = new RegExp(`^[1-9]\\d{0,2}(?:${SEPARATOR}\\d{3})+(?:[.,]\\d+)?$`);

/**
 * Would a reader split this amount into thousands? The rule, exactly:
 * - a single "." or "," is a decimal mark, EXCEPT when the digits before it are 1–3 digits not starting
 *   with 0 and exactly 3 digits follow it: "1.000", "1,000", "12,500", "999.999" mean 1000 to some readers
 *   and 1 to others, so they are refused. "0.001", "0,500", "1.00", "1.0001", "12.5", "2,5", "0,99" and
 *   "1000.000" (4 leading digits cannot be a group) are plain decimals;
 * - anything else shaped like groups of three — several separators ("1.000.000", "1,000.50", "1.000,5")
 *   or a space/apostrophe separator ("1 000", "1'000", "1\u202f000") — is refused as well.
 */
export function isAmbiguousGrouping(text: string): boolean {
  const single = DECIMAL.exec(text);
  if (single) return single[2] !== undefined && /^[1-9]\d{0,2}$/.test(single[1] ?? '') && single[2].length === 3;
  return GROUPED.test(text);
}

/**
 * Parses what a person typed: "1.99", "0.5", "1,5" (comma as decimal mark), ".5" is rejected
 * as ambiguous-looking, as are exponents ("1e3"), signs and thousands groupings (see isAmbiguousGrouping).
 * Returns a normalised decimal string ("01.50" → "1.5").
 */
export function parseAmount(input: string): AmountResult {
  const trimmed = input.trim();
  if (trimmed.startsWith('-')) return { ok: false, reason: 'not_positive' };
  if (isAmbiguousGrouping(trimmed)) return { ok: false, reason: 'ambiguous_grouping' };
  const match = DECIMAL.exec(trimmed);
  if (!match) return { ok: false, reason: 'not_a_number' };
  const integerPart = (match[1] ?? '').replace(/^0+(?=\d)/, '');
  const fractionPart = (match[2] ?? '').replace(/0+$/, '');
  if (fractionPart.length > MAX_FRACTION_DIGITS) return { ok: false, reason: 'too_many_decimals' };
  if (/^0*$/.test(integerPart) && fractionPart === '') return { ok: false, reason: 'not_positive' };
  const value = fractionPart ? `${integerPart}.${fractionPart}` : integerPart;
  if (compareDecimals(value, '1000000000') > 0) return { ok: false, reason: 'too_large' };
  return { ok: true, value };
}
