import { describe, expect, it } from 'vitest';
import type { InvoiceRow } from '../../src/db/schema.js';
import { csvCell, INVOICE_CSV_COLUMNS, invoicesCsv, toCsv } from '../../src/invoices/csv.js';

describe('csvCell', () => {
  it('quotes every text cell, leaves numbers bare, empty for null', () => {
    expect(csvCell('Coffee')).toBe('"Coffee"');
    expect(csvCell(12.5)).toBe('12.5');
    expect(csvCell(7)).toBe('7');
    expect(csvCell('-12.5')).toBe('"-12.5"');
    expect(csvCell('')).toBe('""');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
  });

  it('keeps a ";" cell whole for Excel in ";" locales: a;=1+1 is one quoted text cell', () => {
    expect(csvCell('a;=1+1')).toBe('"a;=1+1"');
    expect(csvCell('tea;milk')).toBe('"tea;milk"');
    expect(csvCell('a\t=1+1')).toBe('"a\t=1+1"');
    expect(toCsv([['a;=1+1', 2]])).toBe('\uFEFF"a;=1+1",2\r\n');
  });

  it('quotes commas, quotes and line breaks (RFC 4180), doubling quotes', () => {
    expect(csvCell('tea, milk')).toBe('"tea, milk"');
    expect(csvCell('the "best" cake')).toBe('"the ""best"" cake"');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('cr\r\nlf')).toBe('"cr\r\nlf"');
  });

  it('defuses cells a spreadsheet would run as a formula', () => {
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell('+1+2')).toBe(`"'+1+2"`);
    expect(csvCell('-2+3')).toBe(`"'-2+3"`);
    expect(csvCell('@SUM(A1)')).toBe(`"'@SUM(A1)"`);
    expect(csvCell('\t=1')).toBe(`"'\t=1"`);
    expect(csvCell('a=b')).toBe('"a=b"');
  });
});

describe('toCsv / invoicesCsv', () => {
  it('starts with a UTF-8 BOM and ends every line with CRLF', () => {
    const csv = toCsv([
      ['a', 'b'],
      ['Кофе', '1'],
    ]);
    expect(csv).toBe('\uFEFF"a","b"\r\n"Кофе","1"\r\n');
  });

  it('writes a header and one line per invoice with normalised amounts and ISO UTC times', () => {
    const row = {
      id: 7,
      createdAt: new Date('2026-01-02T03:04:05Z'),
      status: 'Paid',
      amount: '12.50000000',
      token: 'bUSDT',
      description: 'Кофе, "большой"',
      paidAmount: '12.5',
      paidToken: 'bUSDT',
      paidAt: new Date('2026-01-02T03:10:00Z'),
      expiresAt: new Date('2026-01-02T04:04:05Z'),
      cancelledAt: null,
      issuedByUserId: 4242,
      smartyPayId: 'sp-1',
    } as InvoiceRow;
    const bytes = invoicesCsv([row]);
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const [header, line, end] = bytes.toString('utf8').slice(1).split('\r\n');
    expect(header).toBe(INVOICE_CSV_COLUMNS.map((name) => `"${name}"`).join(','));
    expect(line).toBe(
      '7,"2026-01-02T03:04:05.000Z","Paid","12.5","bUSDT","Кофе, ""большой""","12.5","bUSDT",' +
        '"2026-01-02T03:10:00.000Z","2026-01-02T04:04:05.000Z",,4242,"sp-1"',
    );
    expect(end).toBe('');
  });
});
