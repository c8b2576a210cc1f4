// A database that has been in use for a while, seeded set-based (insert … select … generate_series) straight into
// the app's tables: the EXPLAIN test (test/db/hot-queries-explain.test.ts) and the bench's growth scenario (p6) run
// the app's hot queries against it. Invoice n (1 = newest) lives in the busy chat when n is a multiple of
// `busyEvery`, else in one of `chats - 1` other chats; invoices are spread over `days`, and settled (Paid, Expired,
// UnderPaid, Cancelled by n) except the newest `open` ones outside the busy chat, which are Created, expire in an
// hour, are due for a re-check and have no card message recorded (a webhook for one sends no card edit). Every
// webhook event and outbox row belongs to some seeded invoice; the outbox rows are all sent. Invoice n's /pay
// message is MESSAGE_IDS_FROM + 2n, its card the next id. Run on a freshly migrated database (invoice ids then
// start at 1; the SQL does not rely on it).

export interface GrowthShape {
  invoices: number;
  chats: number;
  /** Chat id of the busy chat (e.g. a merchant's private chat: the user's id). */
  busyChatId: number;
  busyInvoices: number;
  /** Other chats get ids firstChatId + 0 … chats - 2. */
  firstChatId: number;
  webhookEvents: number;
  sentOutbox: number;
  /** Open invoices due for a re-check. */
  open: number;
  /** How far back the invoices go. */
  days: number;
  /** smartypay_id prefix (`<prefix>-<n>`). */
  prefix: string;
}

/** Seeded /pay and card message ids start here, far above any the fake Bot API hands out in a run. */
export const MESSAGE_IDS_FROM = 1_000_000_000;

/** The SQL statements, in order. `vacuum analyze` comes last: the planner must know the tables' new sizes. */
export function growthSeedStatements(shape: GrowthShape): string[] {
  const n = Math.max(1, Math.floor(shape.invoices));
  const busyEvery = Math.max(1, Math.floor(n / Math.max(1, shape.busyInvoices)));
  const otherChats = Math.max(1, shape.chats - 1);
  const chatOf = (k: string) =>
    `case when ${k} % ${busyEvery} = 0 then ${shape.busyChatId}::bigint else ${shape.firstChatId}::bigint + ${k} % ${otherChats} end`;
  const isOpen = (k: string) =>
    `(${k} <= ${shape.open + Math.ceil(shape.open / busyEvery) + 1} and ${k} % ${busyEvery} <> 0)`;
  const spanSeconds = shape.days * 86_400;
  const createdAt = (k: string) => `now() - make_interval(secs => ${k}::float8 * ${spanSeconds / n})`;
  // Status and token by a mix of n that varies inside the busy chat too (its n are all multiples of busyEvery).
  const mix = (k: string) => `(${k} + ${k} / ${busyEvery})`;
  // Settled invoices: 6 in 10 Paid, 3 Expired, 1 UnderPaid; every 50th Cancelled instead.
  const status = (k: string) => `case
      when ${isOpen(k)} then 'Created'
      when ${mix(k)} % 50 = 7 then 'Cancelled'
      when ${mix(k)} % 10 < 6 then 'Paid'
      when ${mix(k)} % 10 < 9 then 'Expired'
      else 'UnderPaid' end`;
  const token = (k: string) => `case when ${mix(k)} % 4 = 3 then 'pUSDC' else 'bUSDT' end`;
  const firstId = '(select min(id) from invoices)';
  return [
    // Counted once afterwards (migration 0013's rebuild) rather than by the trigger as the rows go in.
    'alter table invoices disable trigger invoices_chat_totals_insert',
    `insert into invoices (smartypay_id, chat_id, notify_chat_id, pay_message_id, card_message_id, locale,
       issued_by_user_id, amount, token, status, checkout_url, created_at, expires_at, paid_at, paid_amount, paid_token,
       next_check_at, updated_at)
     select '${shape.prefix}-' || k, ${chatOf('k')}, ${chatOf('k')}, ${MESSAGE_IDS_FROM} + 2 * k,
       case when st <> 'Created' then ${MESSAGE_IDS_FROM} + 2 * k + 1 end, 'en', 4242,
       (1 + k % 97)::numeric, ${token('k')}, st, 'https://checkout.smartypay.io/invoice?invoice-id=${shape.prefix}-' || k,
       case when st = 'Created' then now() - interval '10 minutes' else ${createdAt('k')} end,
       case when st = 'Created' then now() + interval '50 minutes' else ${createdAt('k')} + interval '1 hour' end,
       case when st in ('Paid', 'UnderPaid') then ${createdAt('k')} + interval '5 minutes' end,
       case when st = 'Paid' then (1 + k % 97)::text when st = 'UnderPaid' then '0.5' end,
       case when st in ('Paid', 'UnderPaid') then ${token('k')} end,
       case when st = 'Created' then now() - make_interval(secs => k % 600) end,
       ${createdAt('k')}
     from (select k, ${status('k')} as st from generate_series(1, ${n}) as k) as seeded`,
    'alter table invoices enable trigger invoices_chat_totals_insert',
    'select chat_invoice_totals_rebuild()',
    `insert into webhook_events (dedupe_key, smartypay_invoice_id, status, event_ts, outcome, raw_payload, received_at)
     select '${shape.prefix}-event-' || e, '${shape.prefix}-' || (1 + e % ${n}), 'Paid', ${createdAt(`(1 + e % ${n})`)},
       'applied', '{"eventId":"${shape.prefix}-event-' || e || '","eventType":"InvoiceStatusChanged","invoiceId":"${shape.prefix}-'
         || (1 + e % ${n}) || '","status":"Paid","amount":"1 bUSDT","paidAmount":"1 bUSDT"}',
       ${createdAt(`(1 + e % ${n})`)}
     from generate_series(1, ${Math.floor(shape.webhookEvents)}) as e`,
    `insert into outbox (dedupe_key, kind, invoice_id, chat_id, target_message_id, payload, status, attempts,
       next_attempt_at, created_at, sent_at)
     select '${shape.prefix}-outbox-' || o, case when o % 2 = 0 then 'paid_reply' else 'card_paid' end,
       ${firstId} + (o % ${n}), ${chatOf(`(1 + o % ${n})`)}, ${MESSAGE_IDS_FROM} + 2 * (1 + o % ${n}),
       '{"status":"Paid"}'::jsonb, 'sent', 1,
       ${createdAt(`(1 + o % ${n})`)}, ${createdAt(`(1 + o % ${n})`)}, ${createdAt(`(1 + o % ${n})`)}
     from generate_series(1, ${Math.floor(shape.sentOutbox)}) as o`,
    // As autovacuum leaves a table that has been in use: statistics, and a visibility map for index-only scans.
    'vacuum analyze invoices',
    'vacuum analyze webhook_events',
    'vacuum analyze outbox',
    'vacuum analyze chat_invoice_totals',
  ];
}
