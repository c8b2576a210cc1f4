import type { InvoiceRow } from '../db/schema.js';
import { normaliseDecimal } from '../decimal.js';

// /export's CSV: RFC 4180 (CRLF lines, quotes doubled), UTF-8 with a BOM so Excel reads Cyrillic
// descriptions, and cells a spreadsheet would run as a formula defused with a leading '.
// Every text cell is quoted, whatever it holds: Excel in a locale whose list separator is ";" splits an
// unquoted `a;=1+1` into two cells, the second a formula. Only numbers (ids) and empty cells stay bare.

const BOM = '\uFEFF';
const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

/** One cell: a number as it is; text formula-guarded, then always quoted. */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  let text = value;
  // Descriptions are user text: "=HYPERLINK(...)" must stay text. Plain numbers are safe as they are.
  if (FORMULA_START.test(text) && !PLAIN_NUMBER.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

export function toCsv(rows: ReadonlyArray<ReadonlyArray<string | number | null | undefined>>): string {
  return `${BOM}${rows.map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

/** Column names are stable identifiers for spreadsheets and scripts, so they are not translated. */
export const INVOICE_CSV_COLUMNS = [
  'id',
  'created_at',
  'status',
  'amount',
  'token',
  'description',
  'paid_amount',
  'paid_token',
  'paid_at',
  'expires_at',
  'cancelled_at',
  'issued_by_user_id',
  'smartypay_id',
] as const;

const iso = (date: Date | null) => date?.toISOString() ?? null;

export function invoicesCsv(rows: readonly InvoiceRow[]): Buffer {
  const lines = rows.map((row) => [
    row.id,
    iso(row.createdAt),
    row.status,
    normaliseDecimal(row.amount),
    row.token,
    row.description,
    row.paidAmount,
    row.paidToken,
    iso(row.paidAt),
    iso(row.expiresAt),
    iso(row.cancelledAt),
    row.issuedByUserId,
    row.smartyPayId,
  ]);
  return Buffer.from(toCsv([[...INVOICE_CSV_COLUMNS], ...lines]), 'utf8');
}
