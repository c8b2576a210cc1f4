import type { Query } from '../db/client.js';

// Rate limits that hold across processes and under concurrency: one conditional upsert per unit taken,
// so two requests can never both see "9 of 10" and both go ahead. The window is a sliding approximation:
// the current minute's count plus the previous minute's, weighted by how much of it still lies in the last
// 60 s (Cloudflare's "sliding window counter"). Unlike fixed minutes it never lets 2× the limit through
// around a minute boundary; it is exact while the rate is steady and errs by a fraction of a unit otherwise.

const WINDOW_MS = 60_000;
/** Windows this far behind the current one are deleted (one statement per process per minute). */
const KEEP_MS = 3 * WINDOW_MS;

// $1 key, $2 current window start, $3 weight of the previous window (0..1], $4 limit.
// The first unit of a window inserts, later ones update, both only while count + weighted previous < limit.
const TAKE_SQL = `
  with previous as (
    select coalesce(
      (select count from rate_quota where key = $1 and window_start = $2::timestamptz - interval '1 minute'), 0
    ) * $3::float8 as weighted
  )
  insert into rate_quota as q (key, window_start, count)
  select $1, $2::timestamptz, 1 from previous where previous.weighted < $4::int
  on conflict (key, window_start) do update set count = q.count + 1
    where q.count + (select weighted from previous) < $4::int
  returning q.count`;

const RELEASE_SQL = `
  update rate_quota set count = count - 1 where key = $1 and window_start = $2::timestamptz and count > 0`;

const USED_SQL = `
  select coalesce(sum(case when window_start = $2::timestamptz then count else count * $3::float8 end), 0)::float8
    as used
  from rate_quota
  where key = $1 and window_start in ($2::timestamptz, $2::timestamptz - interval '1 minute')`;

const PRUNE_SQL = 'delete from rate_quota where window_start < $1::timestamptz';

/** A unit taken; give it back with `release` when the thing it paid for did not happen. */
export interface QuotaTicket {
  key: string;
  windowStart: string;
}

export interface RateQuota {
  /** Takes one unit of `key` unless `limit` units were taken in the last minute; undefined when refused. */
  take(key: string, limit: number): Promise<QuotaTicket | undefined>;
  release(ticket: QuotaTicket): Promise<void>;
  /** True when `take` would refuse now (takes nothing). */
  isFull(key: string, limit: number): Promise<boolean>;
}

export function createRateQuota(deps: { query: Query; now?: (() => Date) | undefined }): RateQuota {
  const now = deps.now ?? (() => new Date());
  let prunedWindow = 0;

  /** The current window's start and the weight of the previous window at this instant. */
  function window(): { start: number; weight: number } {
    const at = now().getTime();
    const start = Math.floor(at / WINDOW_MS) * WINDOW_MS;
    return { start, weight: 1 - (at - start) / WINDOW_MS };
  }

  async function prune(start: number): Promise<void> {
    if (prunedWindow === start) return;
    prunedWindow = start;
    await deps.query(PRUNE_SQL, [new Date(start - KEEP_MS).toISOString()]);
  }

  return {
    async take(key, limit) {
      const { start, weight } = window();
      const windowStart = new Date(start).toISOString();
      const [row] = await deps.query(TAKE_SQL, [key, windowStart, weight, limit]);
      await prune(start);
      return row ? { key, windowStart } : undefined;
    },

    async release(ticket) {
      await deps.query(RELEASE_SQL, [ticket.key, ticket.windowStart]);
    },

    async isFull(key, limit) {
      const { start, weight } = window();
      const [row] = await deps.query(USED_SQL, [key, new Date(start).toISOString(), weight]);
      return Number(row?.used ?? 0) >= limit;
    },
  };
}
