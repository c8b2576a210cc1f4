import { fixedStatement } from '../db/fixed-statement.js';
import { SPEND_CTES, SPEND_PARAMETERS } from './pacing.js';

// The statements of a claim (./claims.ts), fixed text with named parameters. A claim is five round trips (eleven
// before), and on a busy event loop each waits a turn of it: BEGIN; the budget lock (with the lapsed-lease reset);
// the due rows (with their locks); the claim (with the spend); COMMIT.

/** A worker that died mid-send leaves 'sending' behind; once its lease lapsed the row is due again. */
export const LAPSED_LEASES = `lapsed as (
    update outbox set status = 'pending' where status = 'sending' and lease_until <= $at::timestamptz
  )`;

/**
 * The due rows of both kinds, oldest first, each walking its due index and stopping at its limit (0 when the bucket
 * is empty): cost follows the batch, not the backlog. A statement of its own after the budget lock, so its snapshot
 * sees what the claimer before committed (the chats it paced, the rows it took). Every candidate is locked here
 * (`locked`: FOR UPDATE SKIP LOCKED, as the separate lock statement before did); which of them go is chosen from the
 * candidates as before, so a row locked elsewhere is skipped without its chat's next row taking its place.
 */
export const DUE = fixedStatement(
  `with messages as (
    select o.id, o.chat_id, o.invoice_id, o.next_attempt_at, false as is_edit
    from outbox o left join chat_throttle t on t.chat_id = o.chat_id
    where o.status = 'pending' and o.next_attempt_at <= $at::timestamptz and not starts_with(o.kind, 'card_')
      -- Chat pacing counts new messages; an edit changes one already there.
      and (t.next_allowed_at is null or t.next_allowed_at <= $at::timestamptz)
    order by o.next_attempt_at, o.id
    limit $messageLimit::int
  ),
  edits as (
    select o.id, o.chat_id, o.invoice_id, o.next_attempt_at, true as is_edit
    from outbox o
    where o.status = 'pending' and o.next_attempt_at <= $at::timestamptz and starts_with(o.kind, 'card_')
      -- One edit of a card at a time: they render the invoice as it is when sent, so the last one to reach Telegram
      -- shows the final state.
      and not exists (select 1 from outbox busy where busy.invoice_id = o.invoice_id
        and busy.status = 'sending' and busy.lease_until > $at::timestamptz and starts_with(busy.kind, 'card_'))
      -- A card is edited only once it exists: while its new_card row waits (or is being sent, or retried after a
      -- 429), edits of it wait too. A card that failed for good leaves them to be skipped.
      and not exists (select 1 from outbox card where card.invoice_id = o.invoice_id
        and card.kind = 'new_card' and card.status in ('pending', 'sending'))
    order by o.next_attempt_at, o.id
    limit $editLimit::int
  ),
  due as (select * from messages union all select * from edits),
  locked as (
    select o.id from outbox o
    where o.id in (select id from due) and o.status = 'pending' and o.next_attempt_at <= $at::timestamptz
    for update skip locked
  )
  select d.id, d.chat_id, d.invoice_id, d.is_edit, l.id is not null as locked
  from due d left join locked l on l.id = d.id
  order by d.is_edit, d.next_attempt_at, d.id`,
  ['at', 'messageLimit', 'editLimit'],
);

/** Takes the rows chosen (all locked by this transaction) and records their sends in the budget, in one statement. */
export const TAKE = fixedStatement(
  `with claimed as (
    update outbox set status = 'sending', lease_until = $leaseUntil::timestamptz, attempts = attempts + 1
    where id = any($ids::bigint[])
    returning *
  ), ${SPEND_CTES}
  select * from claimed order by id`,
  ['leaseUntil', 'ids', ...SPEND_PARAMETERS],
);

export interface Candidate {
  id: number;
  chatId: number;
  invoiceId: number | null;
  isEdit: boolean;
  locked: boolean;
}
