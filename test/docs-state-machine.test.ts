import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { INVOICE_STATUSES, type InvoiceStatus, NOTIFICATION_KINDS } from '../src/db/vocabulary.js';
import { type Cause, type Payment, type Schedule, STATE_MACHINE } from '../src/invoices/state-machine.js';

// docs/architecture.md writes the state machine out for people: one row per status, in INVOICE_STATUSES order.
// It is the independent statement of what each status does (test/invoices/state-machine.test.ts checks the ranks);
// this test renders STATE_MACHINE in the doc's words and compares line by line, so neither can change alone. On a
// failure the diff shows the line to paste.

const BY: Record<Cause, string> = { remote: 'SMARTy Pay', expire: 'our expiry', cancel: '`/cancel`' };

const SCHEDULE: Record<Schedule, string> = {
  check_and_remind: 'both stay',
  keep_checking: 're-checks until expiry; no reminder',
  stop_checking: 'both stop',
};

const PAYMENT: Record<Payment, string> = {
  none: '—',
  partial: 'paid amount',
  settled: 'paid amount, `paid_at`',
  withdrawn: 'kept as paid',
};

const code = (word: string) => `\`${word}\``;

function rowOf(status: InvoiceStatus): string {
  const entry = STATE_MACHINE[status];
  const from = [...entry.from, ...(entry.again === 'when_more_paid' ? [`${status} if more is paid`] : [])];
  const tells = [
    ...entry.notify.map(code),
    ...(entry.payment === 'settled' ? ['`card_linked` (two-part sale)'] : []),
    ...entry.shop.map((kind) => `${code(kind)} (product)`),
  ];
  const cells = [
    status,
    from.join(', ') || '— (issue.ts)',
    entry.by.map((cause) => BY[cause]).join(', ') || '—',
    tells.join(', ') || '—',
    SCHEDULE[entry.schedule],
    PAYMENT[entry.payment],
  ];
  return `| ${cells.join(' | ')} |`;
}

const DOC = readFileSync(new URL('../docs/architecture.md', import.meta.url), 'utf8');

/** The text of `## <title>` up to the next `## `. */
function section(title: string): string {
  return DOC.split(`\n## ${title}\n`)[1]?.split('\n## ')[0] ?? '';
}

/** The body rows of the section's first table (header and separator dropped). */
function firstTable(text: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.startsWith('|'));
  if (start < 0) return [];
  const end = lines.findIndex((line, i) => i > start && !line.startsWith('|'));
  return lines.slice(start + 2, end < 0 ? undefined : end);
}

describe('docs/architecture.md', () => {
  it('states the state machine exactly as src/invoices/state-machine.ts declares it', () => {
    expect(firstTable(section('Status state machine'))).toEqual(INVOICE_STATUSES.map(rowOf));
  });

  it('says who queues each notification kind and how it is sent', () => {
    const kinds = firstTable(section('The path of a notification')).join('\n');
    for (const kind of NOTIFICATION_KINDS) expect(kinds, kind).toContain(code(kind));
  });
});
