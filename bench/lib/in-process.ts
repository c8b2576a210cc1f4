import { sql } from 'drizzle-orm';
import pino from 'pino';
import { createServices } from '../../src/app/services.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/client.js';
import { createOutboxClaims } from '../../src/notify/claims.js';
import { createPacer, outboxPacing } from '../../src/notify/pacing.js';
import type { FakeSmartyPay } from '../../test/support/fake-smartypay.js';
import type { FakeTelegram } from '../../test/support/fake-telegram.js';
import { fakesEnv } from '../../test/support/fakes-env.js';
import type { AppDatabase } from './processes.js';
import { sleep } from './util.js';

// p6 times a reconciler tick and an outbox claim in this process, with the app's own code (createServices wires
// them as the app does) on the seeded database while no app process runs on it: each call is timed exactly, and
// every sample does the same work on the small and the large database, which a histogram scraped from the app's
// /metrics could not promise (its ticks and claims depend on what happens to be due at that moment, and a
// histogram's buckets are too coarse for a p50 ratio).

export interface InProcessOptions {
  database: AppDatabase;
  telegram: FakeTelegram;
  smartypay: FakeSmartyPay;
}

export interface InProcess {
  /**
   * One reconciler tick, in ms: it claims the 20 longest-due open invoices, asks the fake SMARTy Pay about them
   * (Created: nothing new), reschedules them and looks for due reminders. Afterwards (untimed) the invoices it
   * rescheduled become due again, at the back of the queue, so every tick finds 20 on either database.
   */
  tick(): Promise<number>;
  /** Queues `claims` × 4 pending rows: two replies and two card edits per claim, each in a chat of its own. */
  queueForClaims(claims: number): Promise<void>;
  /**
   * One outbox claim, in ms, of what the send budget allows at once (two new messages and two card edits); it first
   * waits (untimed) for the bucket to fill. The claimed rows stay leased: nothing is sent.
   */
  claim(): Promise<number>;
  close(): Promise<void>;
}

/** The app's services (createServices, as the app wires them) on the database, with no app process running. */
export async function openInProcess(options: InProcessOptions): Promise<InProcess> {
  const config = loadConfig({
    ...fakesEnv(options),
    DATABASE_URL: options.database.url ?? '',
    DATA_DIR: options.database.dataDir,
    RECHECK_MAX_PER_MINUTE: '10000',
  });
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, poolMax: 10 });
  const { db } = database;
  const calls = new AbortController();
  const services = createServices(config, {
    logger: pino({ level: 'silent' }),
    now: () => new Date(),
    database,
    telegramCalls: calls.signal,
    botUsername: 'bench_bot',
  });
  const pacing = outboxPacing(config.telegramPacing);
  const claims = createOutboxClaims({
    db,
    pacer: createPacer(pacing),
    now: () => new Date(),
    leaseMs: config.outbox.leaseMs,
    batchSize: 20,
  });
  // The first tick also prunes inline drafts (hourly): not what a tick usually does.
  await services.workers.reconciler.tick();
  await db.execute(sql`update invoices set next_check_at = now() where next_check_at > now()`);

  return {
    async tick() {
      const started = performance.now();
      const checked = await services.workers.reconciler.tick();
      const ms = performance.now() - started;
      if (checked !== 20) throw new Error(`a reconciler tick checked ${checked} invoices, not 20`);
      await db.execute(sql`update invoices set next_check_at = now() where next_check_at > now()`);
      return ms;
    },

    async queueForClaims(count) {
      await db.execute(sql`
        insert into outbox (dedupe_key, kind, invoice_id, chat_id, target_message_id, payload, next_attempt_at,
          created_at)
        select 'p6-claim-' || i.id || ':' || k.kind, k.kind, i.id, 900000000 + i.n, null, '{"status":"Paid"}'::jsonb,
          now() - interval '1 second', now() - interval '1 second'
        from (select id, row_number() over (order by id) as n from invoices order by id limit ${count * 2}) as i
        cross join (values ('paid_reply'), ('card_paid')) as k(kind)`);
    },

    async claim() {
      await sleep(Math.ceil((pacing.burst / pacing.perSecond) * 1000) + 5);
      const started = performance.now();
      const { rows } = await claims.claim();
      const ms = performance.now() - started;
      if (rows.length !== 4) throw new Error(`an outbox claim took ${rows.length} rows, not 4`);
      return ms;
    },

    async close() {
      calls.abort();
      await database.close();
    },
  };
}
