import type { Query } from '../db/client.js';
import type { Money } from '../payments/money.js';
import {
  INVOICE_STATUSES,
  isInvoiceStatus,
  isOpenStatus,
  isPaidStatus,
  isSettledStatus,
  LOCAL_ONLY_STATUSES,
  notificationsFor,
  PLAIN_DECIMAL_PATTERN,
  rankOf,
} from './status.js';

// The one place an invoice changes status, as ONE statement: lock the invoice, record the webhook
// event (dedupe), apply the status only if it moves forward, enqueue what the chat must be told.
// One round trip keeps the webhook hot path short, and a single statement is atomic on its own.
// Its text depends only on the target status and the kind of input, so each of the few variants is
// built once and runs as a prepared statement.

export interface TransitionInput {
  invoice: { smartyPayId: string } | { id: number };
  status: string;
  paid?: Money | undefined;
  paidAt?: Date | undefined;
  now: Date;
  /** /cancel: who cancelled. A local-only status (Cancelled) applies only with it, never from SMARTy Pay. */
  cancelledByUserId?: number | undefined;
  /** A webhook: recorded under its dedupe key; a repeat changes nothing. */
  event?: {
    dedupeKey: string;
    smartyPayInvoiceId: string;
    rawPayload: string;
    eventTs?: Date | undefined;
    /** The Unconfirmed placeholder the webhook's metadata names: such an invoice is adopted (see issue.ts). */
    unconfirmedId?: string | undefined;
  };
}

export type TransitionOutcome = 'applied' | 'stale' | 'duplicate' | 'unknown_invoice';

export interface TransitionResult {
  outcome: TransitionOutcome;
  invoiceId?: number;
  /** Where its messages go (invoices.notify_chat_id), which its outbox rows carry. */
  chatId?: number;
  /** The invoice's token (metrics label). */
  token?: string;
  /** An Unconfirmed invoice took SMARTy Pay's id from this webhook. */
  adopted?: boolean;
}

const quote = (value: string) => `'${value.replace(/'/g, "''")}'`;
const PAID_FAMILY = INVOICE_STATUSES.filter(isSettledStatus).map(quote).join(', ');
/** SQL for canTransition(from, to), `to` known here; the ranks come from status.ts. */
function allowedSql(to: string): string {
  if (!isInvoiceStatus(to) || LOCAL_ONLY_STATUSES.includes(to)) return 'false';
  if (to === 'Withdrawn') return `(inv.status in (${PAID_FAMILY}))`;
  const ranks = INVOICE_STATUSES.map((s) => `when ${quote(s)} then ${rankOf(s)}`).join(' ');
  const forward = `((case inv.status ${ranks} else 1000 end) < ${rankOf(to)})`;
  return to === 'UnderPaid' ? `(${forward} or ${TOP_UP_SQL})` : forward;
}

const decimal = quote(PLAIN_DECIMAL_PATTERN);
/**
 * isTopUp (status.ts) in SQL: UnderPaid again with more money in the invoice's token. Nested CASEs so a value
 * that is not a plain decimal is never cast (paid_amount is text, as SMARTy Pay reported it).
 */
const TOP_UP_SQL = `(inv.status = 'UnderPaid' and $4::text = inv.token and coalesce(inv.paid_token, inv.token) = inv.token
  and case when $3::text ~ ${decimal} then
    case when inv.paid_amount ~ ${decimal} then $3::text::numeric > inv.paid_amount::numeric else false end
  else false end)`;

/** A status this statement may apply; a local-only one arrives as `local:<status>` (see applyTransition). */
function isKnown(to: string): boolean {
  return isInvoiceStatus(to) && !LOCAL_ONLY_STATUSES.includes(to);
}

// Parameters: $1 invoice key, $2 now, $3 paid amount, $4 paid token, $5 paid at,
// for webhooks $6 dedupe key, $7 SMARTy Pay invoice id, $8 event time, $9 raw payload, $10 the Unconfirmed
// placeholder its metadata names (or null); for /cancel $6 the cancelling user.
function buildStatement(key: string, byId: boolean, withEvent: boolean): string {
  const cancel = key === 'local:Cancelled' && !withEvent;
  const to = cancel ? 'Cancelled' : key;
  // `to` is a known status here (or the statement allows nothing), so inlining it is safe.
  const target = isInvoiceStatus(to) ? to : 'Created';
  const kinds = cancel || isKnown(to) ? notificationsFor(target) : [];
  // Paid, failed or expired: nothing left to re-check. UnderPaid may still be topped up; a cancelled
  // invoice is still checked until expiry, so a payment made anyway is found even if its webhook is lost.
  const keepChecking = isOpenStatus(to) || to === 'UnderPaid' || cancel;
  // A webhook may adopt an Unconfirmed invoice (its create timed out): it takes SMARTy Pay's id and the status.
  const adopt = withEvent && !byId;
  // A settled sale looks at its linked invoice (remainder or original), locked, so exactly one confirmation
  // tells the chat it is complete.
  const settles = isKnown(to) && isSettledStatus(to);
  // Withdrawn: the merchant moved the money out; what was paid, in what and when stays as it was.
  const paidColumns = to === 'Withdrawn' ? 'i' : 'fresh';
  const event = withEvent
    ? `, ev as (
        insert into webhook_events (dedupe_key, smartypay_invoice_id, status, event_ts, outcome, raw_payload, received_at)
        values ($6, $7, ${quote(to)}, $8::timestamptz,
          coalesce((select case when allowed then 'applied' else 'stale' end from decision), 'unknown_invoice'),
          $9, $2::timestamptz)
        on conflict (dedupe_key) do nothing
        returning outcome)`
    : '';
  // The event row is the permanent replay guard: no timestamp is signed, so a captured webhook stays
  // valid forever and may only ever have an effect once.
  const firstDelivery = withEvent ? 'and exists (select 1 from ev)' : '';
  const linked = settles
    ? `, linked as (
        select l.id, l.status, l.notify_chat_id as chat_id, l.card_message_id from invoices l, inv
        where l.id = inv.remainder_of_invoice_id or l.remainder_of_invoice_id = inv.id
        limit 1 for update of l)`
    : '';
  // A second UnderPaid with more money is a new fact for the chat: its rows are keyed by the amount too.
  const dedupeSuffix = to === 'UnderPaid' ? ` || ':' || coalesce($3::text, '')` : '';
  const queued =
    kinds.length > 0
      ? `, queued as (
        insert into outbox (dedupe_key, kind, invoice_id, chat_id, target_message_id, payload, next_attempt_at, created_at)
        select upd.id::text || ':' || k.kind${dedupeSuffix}, k.kind, upd.id, upd.chat_id,
          case when starts_with(k.kind, 'card_') then upd.card_message_id else upd.pay_message_id end,
          jsonb_build_object('status', ${quote(target)}::text, 'previousStatus', upd.previous_status,
            'paidAmount', $3::text, 'paidToken', $4::text${settles ? `, 'linkedStatus', (select status from linked)` : ''}),
          $2::timestamptz, $2::timestamptz
        from upd cross join (values ${kinds.map((kind) => `(${quote(kind)})`).join(', ')}) as k(kind)
        ${
          settles
            ? `union all
        select l.id::text || ':card_linked', 'card_paid', l.id, l.chat_id, l.card_message_id,
          jsonb_build_object('status', l.status::text), $2::timestamptz, $2::timestamptz
        from upd cross join linked l`
            : ''
        }
        on conflict (dedupe_key) do nothing
        returning 1)`
      : '';
  const where = byId
    ? 'id = $1::bigint'
    : adopt
      ? // The placeholder is ours alone (issue.ts), and stays until adopted, also if the invoice was cancelled.
        `smartypay_id in ($1::text, $10::text) order by smartypay_id = $1::text desc limit 1`
      : 'smartypay_id = $1::text';
  return `
    with inv as (
      select id, smartypay_id, notify_chat_id as chat_id, status, card_message_id, pay_message_id, token, paid_amount,
        paid_token, remainder_of_invoice_id from invoices
      where ${where} for update
    ),
    decision as (select inv.*, ${cancel ? allowedSql('Expired') : allowedSql(to)} as allowed from inv)${event}${linked},
    fresh as (select $3::text as paid_amount, $4::text as paid_token),
    upd as (
      update invoices i set
        status = ${quote(target)},
        smartypay_id = ${adopt ? '$1::text' : 'i.smartypay_id'},
        paid_amount = coalesce(${paidColumns}.paid_amount, i.paid_amount),
        paid_token = coalesce(${paidColumns}.paid_token, i.paid_token),
        paid_at = case when ${isPaidStatus(to)} and d.status not in (${PAID_FAMILY})
          then coalesce($5::timestamptz, $2::timestamptz) else i.paid_at end,
        next_check_at = case when ${keepChecking}
          then ${adopt ? `case when d.smartypay_id <> $1::text then $2::timestamptz else i.next_check_at end` : 'i.next_check_at'}
          else null end,
        remind_at = case when ${isOpenStatus(to)} then i.remind_at else null end,
        cancelled_at = ${cancel ? '$2::timestamptz' : 'i.cancelled_at'},
        cancelled_by_user_id = ${cancel ? '$6::bigint' : 'i.cancelled_by_user_id'},
        updated_at = $2::timestamptz
      from decision d, fresh
      where i.id = d.id and d.allowed ${firstDelivery}
      returning i.id, d.status as previous_status, d.chat_id, d.card_message_id, d.pay_message_id,
        ${adopt ? 'd.smartypay_id <> $1::text' : 'false'} as adopted
    )${queued}
    select
      (select id from decision) as invoice_id,
      (select chat_id from decision) as chat_id,
      (select token from decision) as token,
      (select count(*) from upd)::int as applied,
      coalesce((select adopted from upd), false) as adopted
      ${withEvent ? ', (select count(*) from ev)::int as recorded' : ''}`;
}

const statements = new Map<string, string>();

function statementFor(to: string, byId: boolean, withEvent: boolean): string {
  const known = isInvoiceStatus(to) || to === 'local:Cancelled' ? to : '?';
  const key = `${known}|${byId}|${withEvent}`;
  let text = statements.get(key);
  if (!text) {
    text = buildStatement(known, byId, withEvent);
    statements.set(key, text);
  }
  return text;
}

export async function applyTransition(query: Query, input: TransitionInput): Promise<TransitionResult> {
  const byId = 'id' in input.invoice;
  const event = input.event;
  const params: unknown[] = [
    'id' in input.invoice ? input.invoice.id : input.invoice.smartyPayId,
    input.now.toISOString(),
    input.paid?.value ?? null,
    input.paid?.token ?? null,
    input.paidAt?.toISOString() ?? null,
  ];
  if (event) {
    params.push(event.dedupeKey, event.smartyPayInvoiceId, event.eventTs?.toISOString() ?? null, event.rawPayload);
    if (!byId) params.push(event.unconfirmedId ?? null);
  }
  // Only /cancel may cancel: a webhook or re-check saying "Cancelled" is an unknown status here.
  const local = LOCAL_ONLY_STATUSES.includes(input.status) && input.cancelledByUserId !== undefined && !event;
  if (local) params.push(input.cancelledByUserId);
  const statement = statementFor(local ? `local:${input.status}` : input.status, byId, event !== undefined);
  const [row = {}] = await query(statement, params);
  const invoiceId = row.invoice_id === null || row.invoice_id === undefined ? undefined : Number(row.invoice_id);
  const chatId = row.chat_id === null || row.chat_id === undefined ? undefined : Number(row.chat_id);
  const token = typeof row.token === 'string' ? row.token : undefined;
  if (event && Number(row.recorded) === 0) return { outcome: 'duplicate', invoiceId, chatId, token };
  if (invoiceId === undefined) return { outcome: 'unknown_invoice' };
  const applied = Number(row.applied) > 0;
  return { outcome: applied ? 'applied' : 'stale', invoiceId, chatId, token, adopted: applied && row.adopted === true };
}
