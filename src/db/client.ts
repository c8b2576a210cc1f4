import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import * as schema from './schema.js';

/** What every part of the app sees: the common drizzle surface of both drivers. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];

/** A raw statement with $n parameters, prepared once per connection; for the few hot fixed statements. */
export type Query = (text: string, params: unknown[]) => Promise<Array<Record<string, unknown>>>;

/** Sees every statement the app sends after the migrations, with its parameters (tests EXPLAIN them). */
export type QueryObserver = (text: string, params: readonly unknown[]) => void;

export interface DatabaseHandle {
  db: Database;
  query: Query;
  driver: 'postgres' | 'pglite';
  /**
   * Runs `fn` with statements that all go over ONE connection, held until it settles: for session state such as a
   * session-level advisory lock (a pool would send the lock and its unlock over different connections). Postgres:
   * a connection reserved from the pool; PGlite has only one.
   */
  session<T>(fn: (query: Query) => Promise<T>): Promise<T>;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres:// URL; when absent, embedded PGlite in `dataDir` ("memory://" keeps it in memory). */
  url?: string | undefined;
  dataDir: string;
  poolMax?: number;
  /** Postgres: aborting gives up the attempt and closes its connections (a server that accepts and never answers). */
  signal?: AbortSignal;
  onQuery?: QueryObserver | undefined;
}

// Works from src/db (tsx, vitest) and dist/db (built): both sit two levels below the package root.
const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../src/db/migrations', import.meta.url));

/**
 * drizzle sends its queries through postgres.js's `unsafe()`, which does not prepare them, so Postgres
 * parses and plans every statement anew (about 1.3 ms for the webhook's). Preparing them once per
 * connection (postgres.js caches by query text; drizzle's texts are a small fixed set) removes that.
 */
function preparing(sql: postgres.Sql): postgres.Sql {
  return new Proxy(sql, {
    get(target, property, receiver) {
      if (property === 'unsafe') {
        return (query: string, args?: unknown[], options?: Record<string, unknown>) =>
          target.unsafe(query, args as never, { ...options, prepare: true });
      }
      if (property === 'begin') {
        return (...args: unknown[]) => {
          const fn = args.pop() as (tx: postgres.Sql) => unknown;
          return (target.begin as (...a: unknown[]) => unknown)(...args, (tx: postgres.Sql) => fn(preparing(tx)));
        };
      }
      if (property === 'savepoint') {
        return (...args: unknown[]) => {
          const fn = args.pop() as (tx: postgres.Sql) => unknown;
          const savepoint = (target as unknown as { savepoint: (...a: unknown[]) => unknown }).savepoint;
          return savepoint(...args, (tx: postgres.Sql) => fn(preparing(tx)));
        };
      }
      return Reflect.get(target, property, receiver);
    },
  });
}

/**
 * PGlite unpacks its initial files as 0666 and writes pg_internal.init as 0644 at every open, whatever the umask;
 * files Postgres creates later (tables, WAL) are 0600. So once open: directories 0700, files 0600.
 */
function ownerOnly(directory: string): void {
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) {
      chmodSync(path, 0o700);
      ownerOnly(path);
    } else if ((lstatSync(path).mode & 0o777) !== 0o600) {
      chmodSync(path, 0o600);
    }
  }
}

/** Opens the database and applies pending migrations before anyone uses it. */
export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  if (options.url) {
    let migrated = false;
    const observe = options.onQuery;
    const client = postgres(options.url, {
      max: options.poolMax ?? 10,
      onnotice: () => {},
      connect_timeout: 10,
      // postgres.js's hook for every statement it sends, drizzle's and the raw ones alike.
      ...(observe && {
        debug: (_connection: number, text: string, params: unknown[]) => {
          if (migrated) observe(text, params);
        },
      }),
    });
    const giveUp = () => void client.end({ timeout: 0 });
    options.signal?.addEventListener('abort', giveUp, { once: true });
    try {
      await migratePostgres(drizzlePostgres(client, { schema }), { migrationsFolder: MIGRATIONS_FOLDER });
      migrated = true;
    } catch (error) {
      await client.end({ timeout: 1 });
      throw error;
    } finally {
      options.signal?.removeEventListener('abort', giveUp);
    }
    const db = drizzlePostgres(preparing(client), { schema });
    return {
      db: db as unknown as Database,
      query: async (text, params) =>
        (await client.unsafe(text, params as postgres.ParameterOrJSON<never>[], { prepare: true })) as unknown as Array<
          Record<string, unknown>
        >,
      driver: 'postgres',
      session: async (fn) => {
        const reserved = await client.reserve();
        try {
          return await fn(
            async (text, params) =>
              (await reserved.unsafe(text, params as postgres.ParameterOrJSON<never>[], {
                prepare: true,
              })) as unknown as Array<Record<string, unknown>>,
          );
        } finally {
          reserved.release();
        }
      },
      ping: async () => {
        await db.execute(sql`select 1`);
      },
      close: () => client.end({ timeout: 5 }),
    };
  }

  const inMemory = options.dataDir.startsWith('memory://');
  if (!inMemory) {
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    chmodSync(options.dataDir, 0o700); // mkdir's mode is cut by the umask, and the directory may already exist
  }
  const client = await PGlite.create(inMemory ? undefined : options.dataDir);
  try {
    await migratePglite(drizzlePglite(client, { schema }), { migrationsFolder: MIGRATIONS_FOLDER });
    if (!inMemory) ownerOnly(options.dataDir);
  } catch (error) {
    await client.close();
    throw error;
  }
  const observe = options.onQuery;
  const db = drizzlePglite(client, {
    schema,
    ...(observe && { logger: { logQuery: (text: string, params: unknown[]) => observe(text, params) } }),
  });
  const query: Query = async (text, params) => {
    observe?.(text, params);
    return (await client.query<Record<string, unknown>>(text, params)).rows;
  };
  return {
    db: db as unknown as Database,
    query,
    driver: 'pglite',
    session: (fn) => fn(query),
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    close: () => client.close(),
  };
}
