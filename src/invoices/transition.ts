import { type SQL, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import type { Money } from '../payments/money.js';
import { INVOICE_STATUSES, isInvoiceStatus, isOpenStatus, isPaidStatus, notificationsFor, rankOf } from './status.js';

// The one place an invoice changes status, as ONE statement: lock the invoice, record the webhook
// event (dedupe), apply the status only if it moves forward, enqueue what the chat must be told.
// One round trip keeps the webhook hot path short, and a single statement is atomic on its own.

export interface TransitionInput {
  invoice: { smartyPayId: string } | { id: number };
  status: string;
  paid?: Money | undefined;
  paidAt?: Date | undefined;
  now: Date;
  /** A webhook: recorded under its dedupe key; a repeat changes nothing. */
  event?: { dedupeKey: string; smartyPayInvoiceId: string; rawPayload: string; eventTs?: Date | undefined };
}

export type TransitionOutcome = 'applied' | 'stale' | 'duplicate' | 'unknown_invoice';

export interface TransitionResult {
  outcome: TransitionOutcome;
  invoiceId?: number;
  chatId?: number;
}

const PAID_FAMILY = sql.raw(
  INVOICE_STATUSES.filter((s) => isPaidStatus(s) && s !== 'Withdrawn')
    .map((s) => `'${s}'`)
    .join(', '),
);

function rankSql(column: SQL): SQL {
  const whens = INVOICE_STATUSES.map((s) => `when '${s}' then ${rankOf(s)}`).join(' ');
  return sql`(case ${column} ${sql.raw(whens)} else 1000 end)`;
}

/** SQL for canTransition(from, to), with `to` known here; the ranks come from status.ts. */
function allowedFrom(from: SQL, to: string): SQL {
  if (!isInvoiceStatus(to)) return sql`false`;
  if (to === 'Withdrawn') return sql`(${from} in (${PAID_FAMILY}))`;
  return sql`(${rankSql(from)} < ${sql.raw(String(rankOf(to)))})`;
}

/** postgres.js answers an array of rows, PGlite an object with `rows`. */
function firstRow(result: unknown): Record<string, unknown> | undefined {
  const rows = Array.isArray(result) ? result : (result as { rows?: unknown[] }).rows;
  return rows?.[0] as Record<string, unknown> | undefined;
}

export async function applyTransition(db: Database, input: TransitionInput): Promise<TransitionResult> {
  const to = input.status;
  const now = input.now.toISOString();
  const match =
    'id' in input.invoice ? sql`id = ${input.invoice.id}` : sql`smartypay_id = ${input.invoice.smartyPayId}`;
  const kinds = isInvoiceStatus(to) ? notificationsFor(to) : [];
  // Paid, failed or expired: nothing left to re-check. UnderPaid may still be topped up.
  const keepChecking = isOpenStatus(to) || to === 'UnderPaid';
  const paidAmount = input.paid?.value ?? null;
  const paidToken = input.paid?.token ?? null;
  const event = input.event;

  const eventCte = event
    ? sql`, ev as (
        insert into webhook_events (dedupe_key, smartypay_invoice_id, status, event_ts, outcome, raw_payload, received_at)
        values (${event.dedupeKey}, ${event.smartyPayInvoiceId}, ${to}, ${event.eventTs?.toISOString() ?? null}::timestamptz,
          coalesce((select case when allowed then 'applied' else 'stale' end from decision), 'unknown_invoice'),
          ${event.rawPayload}, ${now}::timestamptz)
        on conflict (dedupe_key) do nothing
        returning outcome)`
    : sql``;
  // The event row is the permanent replay guard: no timestamp is signed, so a captured webhook stays
  // valid forever and may only ever have an effect once.
  const firstDelivery = event ? sql`and exists (select 1 from ev)` : sql``;
  const outboxCte =
    kinds.length > 0
      ? sql`, queued as (
        insert into outbox (dedupe_key, kind, invoice_id, chat_id, target_message_id, payload, next_attempt_at, created_at)
        select upd.id::text || ':' || k.kind, k.kind, upd.id, upd.chat_id,
          case when starts_with(k.kind, 'card_') then upd.card_message_id else upd.pay_message_id end,
          jsonb_build_object('status', ${to}::text, 'previousStatus', upd.previous_status,
            'paidAmount', ${paidAmount}::text, 'paidToken', ${paidToken}::text),
          ${now}::timestamptz, ${now}::timestamptz
        from upd cross join (values ${sql.join(
          kinds.map((kind) => sql`(${kind}::text)`),
          sql`, `,
        )}) as k(kind)
        on conflict (dedupe_key) do nothing
        returning 1)`
      : sql``;

  const result = await db.execute(sql`
    with inv as (
      select id, chat_id, status, card_message_id, pay_message_id from invoices where ${match} for update
    ),
    decision as (
      select inv.*, ${allowedFrom(sql`inv.status`, to)} as allowed from inv
    )${eventCte},
    upd as (
      update invoices i set
        status = ${to},
        paid_amount = coalesce(${paidAmount}::text, i.paid_amount),
        paid_token = coalesce(${paidToken}::text, i.paid_token),
        paid_at = case when ${sql.raw(String(isPaidStatus(to)))} and d.status not in (${PAID_FAMILY})
          then coalesce(${input.paidAt?.toISOString() ?? null}::timestamptz, ${now}::timestamptz) else i.paid_at end,
        next_check_at = case when ${sql.raw(String(keepChecking))} then i.next_check_at else null end,
        updated_at = ${now}::timestamptz
      from decision d
      where i.id = d.id and d.allowed ${firstDelivery}
      returning i.id, d.status as previous_status, d.chat_id, d.card_message_id, d.pay_message_id
    )${outboxCte}
    select
      (select id from decision) as invoice_id,
      (select chat_id from decision) as chat_id,
      (select count(*) from upd)::int as applied
      ${event ? sql`, (select count(*) from ev)::int as recorded` : sql``}
  `);
  const row = firstRow(result) ?? {};
  const invoiceId = row.invoice_id === null || row.invoice_id === undefined ? undefined : Number(row.invoice_id);
  const chatId = row.chat_id === null || row.chat_id === undefined ? undefined : Number(row.chat_id);
  if (event && Number(row.recorded) === 0) return { outcome: 'duplicate', invoiceId, chatId };
  if (invoiceId === undefined) return { outcome: 'unknown_invoice' };
  return { outcome: Number(row.applied) > 0 ? 'applied' : 'stale', invoiceId, chatId };
}
