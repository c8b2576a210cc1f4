import type { Query } from '../db/client.js';
import type { InvoiceStatus } from '../db/vocabulary.js';
import type { Money } from '../payments/money.js';
import type { SmartyPayStatus } from '../payments/statuses.js';
import { PAID_STATUSES, PLAIN_DECIMAL_PATTERN, STATE_MACHINE } from './state-machine.js';

// The one place an invoice changes status, as ONE statement: lock the invoice, record the webhook event (dedupe),
// apply the status only if the state machine allows it, enqueue what the chat must be told. One round trip keeps
// the webhook hot path short, and a single statement is atomic on its own. Its text is fixed (prepared once per
// connection); what the state machine says about the target status arrives as parameters (`planOf`).

/** Why the invoice changes: SMARTy Pay said so (a webhook or a re-check), it expired here, or /cancel. */
export type TransitionCause =
  | {
      kind: 'remote';
      status: SmartyPayStatus;
      paid?: Money | undefined;
      paidAt?: Date | undefined;
      /** A webhook: recorded under its dedupe key; a repeat changes nothing. None for a re-check. */
      event?: WebhookEvent | undefined;
    }
  /** SMARTy Pay sends no webhook for expiry; the reconciler expires an invoice past it. */
  | { kind: 'expire' }
  | { kind: 'cancel'; byUserId: number };

export interface WebhookEvent {
  dedupeKey: string;
  smartyPayInvoiceId: string;
  rawPayload: string;
  eventTs?: Date | undefined;
  /** The Unconfirmed placeholder the webhook's metadata names: such an invoice is adopted (see issue.ts). */
  unconfirmedId?: string | undefined;
}

export interface TransitionInput {
  invoice: { smartyPayId: string } | { id: number };
  cause: TransitionCause;
  now: Date;
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

const LOCAL_TARGET = { expire: 'Expired', cancel: 'Cancelled' } as const satisfies Record<
  Exclude<TransitionCause['kind'], 'remote'>,
  InvoiceStatus
>;

/** The status a cause moves an invoice to. */
export function targetOf(cause: TransitionCause): InvoiceStatus {
  return cause.kind === 'remote' ? cause.status : LOCAL_TARGET[cause.kind];
}

/** What the statement needs to know about the target status: STATE_MACHINE's entry, as parameters. */
export function planOf(cause: TransitionCause) {
  const to = targetOf(cause);
  const entry = STATE_MACHINE[to];
  return {
    to,
    // A cause the entry does not name (SMARTy Pay saying a local status) moves nothing; zod lets none through.
    allowedFrom: entry.by.includes(cause.kind) ? entry.from : [],
    again: entry.again === 'when_more_paid',
    kinds: entry.notify,
    shopKinds: entry.shop,
    keepChecking: entry.schedule !== 'stop_checking',
    keepReminder: entry.schedule === 'check_and_remind',
    recordPayment: entry.payment !== 'withdrawn',
    settles: entry.payment === 'settled',
    releaseKeys: entry.keys === 'release',
    sellKeys: entry.keys === 'sell',
  };
}

const PARAMETERS = [
  'invoiceId',
  'smartyPayId',
  /** The Unconfirmed placeholder a webhook's metadata names; found when no invoice has `smartyPayId`. */
  'unconfirmedId',
  'now',
  'paidAmount',
  'paidToken',
  'paidAt',
  'cancelledBy',
  /** The webhook event (all null for a re-check, expiry or /cancel). */
  'eventKey',
  'eventInvoiceId',
  'eventTs',
  'rawPayload',
  // planOf:
  'to',
  'allowedFrom',
  'again',
  'kinds',
  'shopKinds',
  'keepChecking',
  'keepReminder',
  'recordPayment',
  'settles',
  'releaseKeys',
  'sellKeys',
] as const;
type Parameter = (typeof PARAMETERS)[number];

const decimal = `'${PLAIN_DECIMAL_PATTERN}'`;
/** The linked invoice of a two-part sale was paid already: this payment is a second one, delivered by nobody. */
const LINKED_PAID = `exists (select 1 from linked where linked.status in (${PAID_STATUSES.map((status) => `'${status}'`).join(', ')}))`;

// paid_amount is text as SMARTy Pay reported it: nested CASEs so a value that is not a plain decimal is never cast.
// No timestamp is signed, so a captured webhook stays valid forever and may only ever have an effect once: the event
// row deduplicates deliveries while it is kept (DATA_RETENTION_DAYS), and after that the ranks do, since a status
// applies only if it moves the invoice forward (docs/reliability.md, "Data kept"). A settled sale locks its linked invoice (remainder or original) and
// records its status, so exactly one confirmation tells the chat the sale is complete.
const STATEMENT = `
  with inv as (
    select id, smartypay_id, notify_chat_id as chat_id, status, card_message_id, pay_message_id, token, paid_amount,
      paid_token, remainder_of_invoice_id, product_id from invoices
    where id = $invoiceId::bigint or smartypay_id = $smartyPayId::text or smartypay_id = $unconfirmedId::text
    order by smartypay_id = $smartyPayId::text desc
    limit 1 for update
  ),
  decision as (
    select inv.*, (
      inv.status = any($allowedFrom::text[])
      or ($again::boolean and inv.status = $to::text and $paidToken::text = inv.token
        and coalesce(inv.paid_token, inv.token) = inv.token
        and case when $paidAmount::text ~ ${decimal} then
          case when inv.paid_amount ~ ${decimal} then $paidAmount::text::numeric > inv.paid_amount::numeric else false end
        else false end)
    ) as allowed
    from inv
  ),
  ev as (
    insert into webhook_events (dedupe_key, smartypay_invoice_id, status, event_ts, outcome, raw_payload, received_at)
    select $eventKey::text, $eventInvoiceId::text, $to::text, $eventTs::timestamptz,
      coalesce((select case when allowed then 'applied' else 'stale' end from decision), 'unknown_invoice'),
      $rawPayload::text, $now::timestamptz
    where $eventKey::text is not null
    on conflict (dedupe_key) do nothing
    returning outcome
  ),
  linked as (
    select l.id, l.status, l.notify_chat_id as chat_id, l.card_message_id from invoices l, inv
    where $settles::boolean and (l.id = inv.remainder_of_invoice_id or l.remainder_of_invoice_id = inv.id)
    limit 1 for update of l
  ),
  upd as (
    update invoices i set
      status = $to::text,
      smartypay_id = coalesce($smartyPayId::text, i.smartypay_id),
      paid_amount = case when $recordPayment::boolean then coalesce($paidAmount::text, i.paid_amount) else i.paid_amount end,
      paid_token = case when $recordPayment::boolean then coalesce($paidToken::text, i.paid_token) else i.paid_token end,
      paid_at = case when $settles::boolean then coalesce($paidAt::timestamptz, $now::timestamptz) else i.paid_at end,
      next_check_at = case
        when not $keepChecking::boolean then null
        when d.smartypay_id <> $smartyPayId::text then $now::timestamptz -- adopted: check it soon
        else i.next_check_at end,
      remind_at = case when $keepReminder::boolean then i.remind_at else null end,
      cancelled_at = case when $cancelledBy::bigint is not null then $now::timestamptz else i.cancelled_at end,
      cancelled_by_user_id = coalesce($cancelledBy::bigint, i.cancelled_by_user_id),
      updated_at = $now::timestamptz
    from decision d
    where i.id = d.id and d.allowed and ($eventKey::text is null or exists (select 1 from ev))
    returning i.id, d.status as previous_status, d.chat_id, d.card_message_id, d.pay_message_id, d.product_id,
      d.remainder_of_invoice_id, coalesce(d.smartypay_id <> $smartyPayId::text, false) as adopted
  ),
  -- The shop's keys (product_keys): back to stock when the invoice can no longer be paid through its card; sold on
  -- payment: its own (or, for a remainder, the original's), else after a release any free one of a keys product
  -- (not one held for an invoice being made); none when the other invoice of its two-part sale was paid already.
  released as (
    update product_keys k set invoice_id = null
    from upd where $releaseKeys::boolean and k.invoice_id = upd.id and k.sold_at is null
    returning k.id
  ),
  sold as (
    update product_keys k set invoice_id = upd.id, sold_at = $now::timestamptz
    from upd
    where $sellKeys::boolean and upd.product_id is not null and not ${LINKED_PAID} and k.id = coalesce(
      (select r.id from product_keys r where r.sold_at is null
        and (r.invoice_id = upd.id or r.invoice_id = upd.remainder_of_invoice_id) order by r.id limit 1),
      (select f.id from product_keys f join products p on p.id = f.product_id
        where f.product_id = upd.product_id and f.invoice_id is null and f.held_for is null
          and p.content->>'type' = 'keys'
        order by f.id limit 1 for update of f skip locked))
    returning k.id
  ),
  queued as (
    insert into outbox (dedupe_key, kind, invoice_id, chat_id, target_message_id, payload, next_attempt_at, created_at)
    select upd.id::text || ':' || k.kind
        || case when $again::boolean then ':' || coalesce($paidAmount::text, '') else '' end,
      k.kind, upd.id, upd.chat_id,
      case when starts_with(k.kind, 'card_') then upd.card_message_id else upd.pay_message_id end,
      jsonb_build_object('status', $to::text, 'previousStatus', upd.previous_status,
        'paidAmount', $paidAmount::text, 'paidToken', $paidToken::text)
        || case when $settles::boolean then jsonb_build_object('linkedStatus', (select status from linked))
           else '{}'::jsonb end,
      $now::timestamptz, $now::timestamptz
    from upd cross join unnest($kinds::text[]) as k(kind)
    union all
    select l.id::text || ':card_linked', 'card_linked', l.id, l.chat_id, l.card_message_id,
      jsonb_build_object('status', l.status), $now::timestamptz, $now::timestamptz
    from upd cross join linked l
    union all
    -- The shop: the buyer's delivery (replying to their /start) and the merchant's notice, in the merchant's chat;
    -- the buyer's access (src/access/) in their chat too.
    select upd.id::text || ':' || k.kind
        || case when $again::boolean then ':' || coalesce($paidAmount::text, '') else '' end,
      k.kind, upd.id, case when k.kind = 'sale_notice' then p.merchant_user_id else upd.chat_id end,
      case when k.kind = 'delivery' then upd.pay_message_id end,
      jsonb_build_object('status', $to::text, 'previousStatus', upd.previous_status,
        'paidAmount', $paidAmount::text, 'paidToken', $paidToken::text, 'productState', p.state)
        || case when $settles::boolean then jsonb_build_object('linkedStatus', (select status from linked))
           else '{}'::jsonb end,
      $now::timestamptz, $now::timestamptz
    from upd join products p on p.id = upd.product_id cross join unnest($shopKinds::text[]) as k(kind)
    -- Paid access only for a product that grants it, content only for one that has some (an access-only product
    -- has none). A second payment of a two-part sale delivers nothing: only the merchant's notice, which tells them
    -- to refund it.
    where (k.kind <> 'access_invite' or p.access_chat_id is not null)
      and (k.kind <> 'delivery' or p.content is not null)
      and (k.kind = 'sale_notice' or not ${LINKED_PAID})
    on conflict (dedupe_key) do nothing
    returning 1
  )
  select
    (select id from decision) as invoice_id,
    (select chat_id from decision) as chat_id,
    (select token from decision) as token,
    (select count(*) from upd)::int as applied,
    coalesce((select adopted from upd), false) as adopted,
    (select count(*) from ev)::int as recorded`;

/** `$name` → `$n` by PARAMETERS' order, so the statement reads by name and binds by position. */
const TEXT = STATEMENT.replace(/\$([a-zA-Z]+)/g, (_, name: string) => {
  const index = PARAMETERS.indexOf(name as Parameter);
  if (index < 0) throw new Error(`transition statement names an undeclared parameter $${name}`);
  return `$${index + 1}`;
});

export async function applyTransition(query: Query, input: TransitionInput): Promise<TransitionResult> {
  const { cause } = input;
  const remote = cause.kind === 'remote' ? cause : undefined;
  const event = remote?.event;
  const values: Record<Parameter, unknown> = {
    invoiceId: 'id' in input.invoice ? input.invoice.id : null,
    smartyPayId: 'smartyPayId' in input.invoice ? input.invoice.smartyPayId : null,
    unconfirmedId: 'smartyPayId' in input.invoice ? (event?.unconfirmedId ?? null) : null,
    now: input.now.toISOString(),
    paidAmount: remote?.paid?.value ?? null,
    paidToken: remote?.paid?.token ?? null,
    paidAt: remote?.paidAt?.toISOString() ?? null,
    cancelledBy: cause.kind === 'cancel' ? cause.byUserId : null,
    eventKey: event?.dedupeKey ?? null,
    eventInvoiceId: event?.smartyPayInvoiceId ?? null,
    eventTs: event?.eventTs?.toISOString() ?? null,
    rawPayload: event?.rawPayload ?? null,
    ...planOf(cause),
  };
  const [row = {}] = await query(
    TEXT,
    PARAMETERS.map((name) => values[name]),
  );
  const invoiceId = row.invoice_id === null || row.invoice_id === undefined ? undefined : Number(row.invoice_id);
  const chatId = row.chat_id === null || row.chat_id === undefined ? undefined : Number(row.chat_id);
  const token = typeof row.token === 'string' ? row.token : undefined;
  if (event && Number(row.recorded) === 0) return { outcome: 'duplicate', invoiceId, chatId, token };
  if (invoiceId === undefined) return { outcome: 'unknown_invoice' };
  const applied = Number(row.applied) > 0;
  return { outcome: applied ? 'applied' : 'stale', invoiceId, chatId, token, adopted: applied && row.adopted === true };
}
