import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MERCHANT, type TestChat, waitForInvoice, waitUntil } from '../support/flows.js';
import { growthSeedStatements } from '../support/growth-seed.js';
import { type Harness, sendAndApply, settle, startHarness } from '../support/harness.js';

// Every statement the app sends on its hot paths, EXPLAINed against a database that has been in use for a while
// (100,000 invoices, as many webhook events and sent outbox rows, ANALYZEd; half that on PGlite): none may read invoices, outbox or
// webhook_events with a sequential scan, whose cost grows with the table. The statements are not copied here: the
// real app runs each path through the fakes and its database handle reports what it sent (StartOptions.onQuery),
// so a change to a query is checked as soon as it is made. Each is planned for the parameters it was sent with.
// (Not its generic plan: drizzle binds literals such as status = 'pending' as parameters, which a partial index
// cannot match without knowing them, so those plans scan; Postgres then keeps planning per execution, as the
// generic plan costs far more — plan_cache_mode auto.) drain() is left out: its isIdle() is for tests only.

const WATCHED = ['invoices', 'outbox', 'webhook_events', 'chat_invoice_totals'];
const BUSY_CHAT: TestChat = { id: MERCHANT.id, type: 'private' };
const CUSTOMER = { id: 777, first_name: 'Customer', language_code: 'en' };

interface Sent {
  text: string;
  params: readonly unknown[];
}

let h: Harness;
let recording = false;
const sent = new Map<string, Sent>();

beforeAll(async () => {
  h = await startHarness({
    // The test drives the reconciler itself; the outbox worker runs as in production.
    env: { RECHECK_INTERVAL_MS: '600000', RECHECK_MAX_PER_MINUTE: '1000' },
    onQuery: (text, params) => {
      // Once per statement and set of null parameters (the transition by SMARTy Pay id and by invoice id differ).
      const key = `${text}\n${params.map((param) => (param === null ? 'null' : '$')).join()}`;
      if (recording && !sent.has(key)) sent.set(key, { text, params: [...params] });
    },
  });
  // Enough rows that a scan of a whole table costs far more than an index walk; PGlite (WASM) seeds slower, and the
  // planner decides the same on half as many.
  const rows = h.database.driver === 'postgres' ? 100_000 : 50_000;
  for (const statement of growthSeedStatements({
    invoices: rows,
    chats: rows / 50,
    busyChatId: BUSY_CHAT.id,
    busyInvoices: rows / 20,
    firstChatId: 5_000_000,
    webhookEvents: rows,
    sentOutbox: rows,
    open: rows / 50,
    days: 365,
    prefix: 'seed',
  })) {
    await h.db.execute(sql.raw(statement));
  }
}, 120_000);
afterAll(async () => {
  await h?.close();
});

/** Sends a command and waits for the bot's answer to it. */
async function ask(chat: TestChat, text: string, from = MERCHANT) {
  const { message } = h.telegram.sendText({ chat, from, text });
  const answer = () => h.telegram.messages(chat.id).find((m) => m.reply_to_message_id === message.message_id);
  await h.telegram.waitFor(() => answer() !== undefined);
  return answer() as NonNullable<ReturnType<typeof answer>>;
}

/** Every hot path once, through the fakes, as a merchant and a customer would use them. */
async function runHotPaths(): Promise<void> {
  // /pay → card, then the signed webhook → confirmation and card edit (the outbox claims and sends both).
  const before = h.smartypay.createdInvoices().length;
  h.telegram.sendText({ chat: BUSY_CHAT, from: MERCHANT, text: '/pay 5 bUSDT' });
  await waitUntil(
    () => h.smartypay.createdInvoices().length > before,
    5_000,
    () => JSON.stringify([h.telegram.messages(BUSY_CHAT.id), h.logs.lines.slice(-8).map((l) => l.msg)]),
  );
  const remote = h.smartypay.createdInvoices()[before];
  if (!remote) throw new Error('no invoice');
  const row = await waitForInvoice(h, remote.id, (r) => r.cardMessageId !== null);
  await sendAndApply(h, remote.id, { status: 'Paid' });
  await waitForInvoice(h, remote.id, (r) => r.status === 'Paid');
  await unrecorded(() => settle(h.app));

  // Reports: the first page of /invoices, an older page, /status, /stats, /export.
  const page = await ask(BUSY_CHAT, '/invoices');
  const older = page.reply_markup?.inline_keyboard?.[0]?.find((b: { text: string }) => b.text.includes('Older'));
  expect(older?.callback_data).toBeDefined();
  await h.telegram.tapButton({
    from: MERCHANT,
    data: older.callback_data,
    chatId: BUSY_CHAT.id,
    messageId: page.message_id,
  });
  await ask(BUSY_CHAT, `/status ${row.id}`, CUSTOMER);
  await ask(BUSY_CHAT, `/status ${row.id - 1000}`, CUSTOMER);
  await ask(BUSY_CHAT, '/stats');
  // In the merchant's private chat the CSV itself is the answer.
  const documents = h.telegram.documents().length;
  h.telegram.sendText({ chat: BUSY_CHAT, from: MERCHANT, text: '/export' });
  await h.telegram.waitFor(() => h.telegram.documents().length > documents);

  // The reconciler's tick: the seeded open invoices are due. SMARTy Pay says the first ones were paid (their
  // transition by invoice id, the confirmations); it does not know the rest (failed checks, rescheduled).
  const due = rowsOf(
    await h.db.execute(
      sql.raw('select smartypay_id from invoices where next_check_at is not null order by next_check_at limit 10'),
    ),
  );
  for (const { smartypay_id: id } of due) {
    const at = new Date();
    h.smartypay.addInvoice({
      id: String(id),
      amount: '1',
      token: 'bUSDT',
      status: 'Paid',
      createdAt: at,
      expiresAt: new Date(at.getTime() + 3_600_000),
      paidAt: at,
      paidAmount: '1',
      metadata: undefined,
    });
  }
  expect(await h.app.workers.reconciler.tick()).toBeGreaterThan(0);
  await h.app.workers.outboxMonitor.snapshot();
  await unrecorded(() => settle(h.app));
}

async function unrecorded(work: () => Promise<void>): Promise<void> {
  recording = false;
  try {
    await work();
  } finally {
    recording = true;
  }
}

/** drizzle's execute answers an array of rows (postgres.js) or `{ rows }` (PGlite). */
const rowsOf = (result: unknown) =>
  (Array.isArray(result) ? result : (result as { rows: Record<string, unknown>[] }).rows) as Record<string, unknown>[];

type PlanNode = {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
};

function seqScans(node: PlanNode): string[] {
  const own =
    node['Node Type'] === 'Seq Scan' && WATCHED.includes(node['Relation Name'] ?? '')
      ? [node['Relation Name'] as string]
      : [];
  return [...own, ...(node.Plans ?? []).flatMap(seqScans)];
}

const isPlannable = (text: string) =>
  /^\s*(select|insert|update|delete|with)\b/i.test(text) && !/^\s*select 1\s*$/i.test(text);

/**
 * Reads of a watched table that throw away most of what they read: an index walked for its order while a filter
 * drops the other chats' rows (an /invoices page once read 20 of every 400 rows that way) costs what a scan does.
 */
function wastefulReads(node: PlanNode): string[] {
  const removed = node['Rows Removed by Filter'] ?? 0;
  const kept = (node['Actual Rows'] ?? 0) * (node['Actual Loops'] ?? 1);
  const own =
    WATCHED.includes(node['Relation Name'] ?? '') && removed > 100 && removed > 10 * kept
      ? [
          `${node['Relation Name']} via ${node['Index Name'] ?? node['Node Type']}: ${removed} rows read and dropped for ${kept}`,
        ]
      : [];
  return [...own, ...(node.Plans ?? []).flatMap(wastefulReads)];
}

/** The statement's plan as it ran (EXPLAIN ANALYZE, in a transaction rolled back: writes leave nothing behind). */
async function plan(statement: Sent): Promise<PlanNode> {
  return h.app.database.session(async (query) => {
    await query('begin', []);
    try {
      const [row] = await query(`explain (analyze, format json) ${statement.text}`, [...statement.params]);
      return (Object.values(row ?? {})[0] as Array<{ Plan: PlanNode }>)[0]?.Plan as PlanNode;
    } finally {
      await query('rollback', []);
    }
  });
}

describe('the hot queries on a grown database', () => {
  it('read invoices, outbox and webhook_events through indexes, never a sequential scan nor a filtered walk', async () => {
    recording = true;
    try {
      await runHotPaths();
    } finally {
      recording = false;
    }
    const statements = [...sent.values()].filter((statement) => isPlannable(statement.text));
    expect(statements.length).toBeGreaterThan(20);
    const offenders: string[] = [];
    for (const statement of statements) {
      const planned = await plan(statement);
      const tables = seqScans(planned);
      if (tables.length > 0) offenders.push(`scans ${tables.join(', ')}:\n${statement.text.trim()}`);
      const wasted = wastefulReads(planned);
      if (wasted.length > 0) offenders.push(`${wasted.join('; ')}:\n${statement.text.trim()}`);
    }
    expect(offenders.join('\n\n')).toBe('');
  });
});
