import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { openDatabase } from '../../src/db/client.js';
import { invoices } from '../../src/db/schema.js';
import type { AppDatabase } from './processes.js';

// One fresh database per scenario: a new `bench_<random>_<name>` database on the Postgres in
// DATABASE_URL (dropped at the end), or a temporary PGlite directory when DATABASE_URL is unset.
// Rows are seeded straight into the app's tables before the app starts (PGlite allows one opener).

export interface BenchDatabase extends AppDatabase {
  name: string;
  drop(): Promise<void>;
}

export interface DatabaseProvider {
  driver: 'postgres' | 'pglite';
  /** e.g. "PostgreSQL 15.20" or "PGlite (embedded)" */
  describe: string;
  create(name: string): Promise<BenchDatabase>;
  /** Drops every database this provider created that is still there. */
  dropAll(): Promise<void>;
}

const RUN_ID = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;

export async function databaseProvider(databaseUrl: string | undefined): Promise<DatabaseProvider> {
  const live = new Map<string, BenchDatabase>();
  const dropAll = async () => {
    for (const db of [...live.values()]) await db.drop().catch(() => {});
  };

  if (!databaseUrl) {
    return {
      driver: 'pglite',
      describe: 'PGlite (embedded; DATABASE_URL unset)',
      async create(name) {
        const dataDir = mkdtempSync(join(tmpdir(), `bench-${name}-`));
        const db: BenchDatabase = {
          name,
          url: undefined,
          dataDir,
          drop: async () => {
            live.delete(name);
            rmSync(dataDir, { recursive: true, force: true });
          },
        };
        live.set(name, db);
        return db;
      },
      dropAll,
    };
  }

  const admin = postgres(databaseUrl, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  let version: string;
  try {
    const [row] = await admin<{ v: string }[]>`select current_setting('server_version') as v`;
    version = `PostgreSQL ${row?.v ?? '?'}`;
  } finally {
    await admin.end({ timeout: 2 });
  }
  return {
    driver: 'postgres',
    describe: version,
    async create(name) {
      const dbName = `bench_${RUN_ID}_${name}`.toLowerCase();
      const conn = postgres(databaseUrl, { max: 1, onnotice: () => {} });
      try {
        await conn.unsafe(`create database ${dbName}`);
      } finally {
        await conn.end({ timeout: 2 });
      }
      const url = new URL(databaseUrl);
      url.pathname = `/${dbName}`;
      const db: BenchDatabase = {
        name,
        url: url.toString(),
        dataDir: './unused-bench-data',
        drop: async () => {
          live.delete(name);
          const cleanup = postgres(databaseUrl, { max: 1, onnotice: () => {} });
          try {
            await cleanup.unsafe(`drop database if exists ${dbName} with (force)`);
          } finally {
            await cleanup.end({ timeout: 2 });
          }
        },
      };
      live.set(name, db);
      return db;
    },
    dropAll,
  };
}

/** Opens the database the way the app does (applying migrations), runs `work`, closes it. */
export async function withDatabase<T>(
  database: AppDatabase,
  work: (db: Awaited<ReturnType<typeof openDatabase>>['db']) => Promise<T>,
): Promise<T> {
  const handle = await openDatabase({ url: database.url, dataDir: database.dataDir, poolMax: 2 });
  try {
    return await work(handle.db);
  } finally {
    await handle.close();
  }
}

export const SEED_AMOUNT = '1';
export const SEED_TOKEN = 'bUSDT';
export const smartyPayIdFor = (prefix: string, n: number) => `${prefix}-${n}`;

/**
 * Inserts `count` open invoices (status Created, expiring in an hour, never re-checked) in chats
 * `firstChatId + n` with smartyPayId `${prefix}-${n}`, n = 1..count, in one set-based statement.
 * cardMessageId stays null: the card edit is then skipped without a Telegram call.
 */
export async function seedBulkInvoices(
  database: AppDatabase,
  options: { prefix: string; count: number; firstChatId: number },
): Promise<void> {
  await withDatabase(database, async (db) => {
    await db.execute(sql`
      insert into invoices (smartypay_id, chat_id, notify_chat_id, pay_message_id, amount, token, status, checkout_url,
        expires_at)
      select ${`${options.prefix}-`} || g, ${options.firstChatId}::bigint + g, ${options.firstChatId}::bigint + g, 1,
             ${SEED_AMOUNT}::numeric,
             ${SEED_TOKEN}, 'Created',
             'https://checkout.smartypay.io/invoice?invoice-id=' || ${`${options.prefix}-`} || g,
             now() + interval '1 hour'
      from generate_series(1, ${options.count}::int) as g`);
  });
}

export interface SeedRow {
  smartyPayId: string;
  chatId: number;
  payMessageId: number;
  cardMessageId: number | null;
}

/** Inserts invoices row by row as given (multi-row inserts of 500). */
export async function seedInvoices(database: AppDatabase, rows: readonly SeedRow[]): Promise<void> {
  const expiresAt = new Date(Date.now() + 3_600_000);
  await withDatabase(database, async (db) => {
    for (let i = 0; i < rows.length; i += 500) {
      await db.insert(invoices).values(
        rows.slice(i, i + 500).map((row) => ({
          ...row,
          notifyChatId: row.chatId,
          amount: SEED_AMOUNT,
          token: SEED_TOKEN,
          status: 'Created' as const,
          checkoutUrl: `https://checkout.smartypay.io/invoice?invoice-id=${row.smartyPayId}`,
          expiresAt,
          nextCheckAt: null,
        })),
      );
    }
  });
}
