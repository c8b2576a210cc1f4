import { and, eq, gt, isNotNull, isNull, lte, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { type AccessGrantRow, accessGrants, outbox, products } from '../db/schema.js';
import type { OutboxWaker } from '../invoices/outbox-waker.js';

// Renewal reminders before paid access ends, run by the reconciler: ACCESS_REMINDER_HOURS before the end (default 3
// days and 1 day), or for a period under a day once, halfway through its last quarter. Each due reminder is an
// `access_renewal` outbox row, queued in the transaction that takes the grant's round (one conditional update of the
// count for this end) and keyed `access:<grant>:renewal:<end>:<n>`, so it is queued once however many processes
// run this; the outbox sends it with a renewal invoice (./access-notices.ts). A renewal moves the end and starts a
// new round. A reminder whose time passed unnoticed (the bot was down) is replaced by the latest due one.

const DAY_SECONDS = 86_400;

export interface AccessRenewalDeps {
  db: Database;
  outbox: OutboxWaker;
  now: () => Date;
  reminderHours: readonly number[];
}

/** How long before the end each reminder is due, longest first. */
function reminderOffsetsMs(periodSeconds: number, reminderHours: readonly number[]): number[] {
  if (periodSeconds < DAY_SECONDS) return [(periodSeconds * 1000) / 8];
  return [...reminderHours]
    .map((hours) => hours * 3_600_000)
    .filter((ms) => ms < periodSeconds * 1000)
    .sort((a, b) => b - a);
}

export function createAccessRenewal(deps: AccessRenewalDeps) {
  const { db, now } = deps;
  const longest = Math.max(DAY_SECONDS * 1000, ...deps.reminderHours.map((hours) => hours * 3_600_000));
  // How many of a grant's reminders are due at `at`, as reminderOffsetsMs and the loop below count them (the hours
  // are config numbers), and how many of them this end's round has sent.
  const hours = sql.raw(`array[${deps.reminderHours.map((h) => Number(h)).join(', ')}]::float8[]`);
  const dueCount = (at: Date) => {
    const left = sql`extract(epoch from ${accessGrants.endsAt} - ${at.toISOString()}::timestamptz)`;
    const period = products.accessPeriodSeconds;
    return sql`case when ${period} < ${DAY_SECONDS} then (case when ${left} <= ${period} / 8.0 then 1 else 0 end)
      else (select count(*) from unnest(${hours}) as h(hours) where h.hours * 3600 < ${period}
        and ${left} <= h.hours * 3600) end`;
  };
  const sentCount = sql`case when ${accessGrants.remindedForEndsAt} = ${accessGrants.endsAt}
    then ${accessGrants.remindersSent} else 0 end`;

  /** Takes reminder `count` for this end and queues it; false when another process (or an earlier tick) did. */
  async function enqueue(grant: AccessGrantRow & { endsAt: Date }, count: number): Promise<boolean> {
    const at = now();
    const sameRound =
      grant.remindedForEndsAt === null
        ? isNull(accessGrants.remindedForEndsAt)
        : eq(accessGrants.remindedForEndsAt, grant.remindedForEndsAt);
    return db.transaction(async (tx) => {
      const taken = await tx
        .update(accessGrants)
        .set({ remindedForEndsAt: grant.endsAt, remindersSent: count, updatedAt: at })
        .where(
          and(
            eq(accessGrants.id, grant.id),
            eq(accessGrants.state, 'active'),
            eq(accessGrants.endsAt, grant.endsAt),
            sameRound,
            eq(accessGrants.remindersSent, grant.remindersSent),
          ),
        )
        .returning({ id: accessGrants.id });
      if (taken.length === 0) return false;
      const queued = await tx
        .insert(outbox)
        .values({
          dedupeKey: `access:${grant.id}:renewal:${grant.endsAt.getTime()}:${count}`,
          kind: 'access_renewal',
          invoiceId: null,
          // A user's private chat with the bot has their user id.
          chatId: grant.userId,
          payload: { grantId: grant.id, endsAt: grant.endsAt.toISOString(), reminder: count },
          nextAttemptAt: at,
          createdAt: at,
        })
        .onConflictDoNothing()
        .returning({ id: outbox.id });
      return queued.length > 0;
    });
  }

  return {
    /** One sweep: queues the reminders due now; returns how many. */
    async enqueueDueReminders(): Promise<number> {
      const at = now();
      const rows = await db
        .select({ grant: accessGrants, periodSeconds: products.accessPeriodSeconds })
        .from(accessGrants)
        .innerJoin(products, eq(products.id, accessGrants.productId))
        .where(
          and(
            eq(accessGrants.state, 'active'),
            isNotNull(accessGrants.endsAt),
            gt(accessGrants.endsAt, at),
            lte(accessGrants.endsAt, new Date(at.getTime() + longest)),
            // A reminder due and not yet sent for this end: grants with nothing due now are not read every tick,
            // so 100 of them ending soon can never hide one that is due.
            sql`${dueCount(at)} > ${sentCount}`,
          ),
        )
        // Soonest end first: with more due than one sweep reads, the nearest deadlines are never the ones left out.
        .orderBy(accessGrants.endsAt)
        .limit(100);
      let queued = 0;
      for (const { grant, periodSeconds } of rows) {
        const { endsAt } = grant;
        if (endsAt === null || periodSeconds === null) continue;
        const offsets = reminderOffsetsMs(periodSeconds, deps.reminderHours);
        const left = endsAt.getTime() - at.getTime();
        const due = offsets.filter((offset) => left <= offset).length;
        const sentBefore = grant.remindedForEndsAt?.getTime() === endsAt.getTime() ? grant.remindersSent : 0;
        if (due <= sentBefore) continue;
        if (await enqueue({ ...grant, endsAt }, due)) queued++;
      }
      // Committed: the worker may send them now.
      if (queued > 0) deps.outbox.wake();
      return queued;
    },
  };
}
