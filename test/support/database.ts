import { randomBytes } from 'node:crypto';
import { cpSync, rmSync } from 'node:fs';
import postgres from 'postgres';
import { afterAll, beforeAll, inject } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../../src/db/client.js';
import { makeTempDir } from './temp-dir.js';

// Real Postgres when TEST_DATABASE_URL is set (CI), embedded PGlite otherwise (a newcomer's default).
// Each test gets its own database, so test files can run in parallel and never see each other's rows.
// A PGlite one starts as a copy of the migrated template made once per run (./pglite-template.ts): the tests
// that run on PGlite whatever TEST_DATABASE_URL says (the process and sandbox tests) copy it too.

export interface TestDatabase {
  driver: 'postgres' | 'pglite';
  /** DATABASE_URL for the app; undefined means PGlite in `dataDir`. */
  url: string | undefined;
  dataDir: string;
  drop(): Promise<void>;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** A migrated PGlite data directory to copy (./pglite-template.ts). */
    pgliteTemplate: string;
  }
}

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;

/**
 * A migrated database of its own for the calling test file, opened in a beforeAll registered first (so the file's own
 * beforeAll can use it) and closed and dropped after the file: `const testDb = useTestDatabase();`, then `testDb.handle`.
 */
export function useTestDatabase(): { readonly handle: DatabaseHandle; readonly database: TestDatabase } {
  let database: TestDatabase | undefined;
  let handle: DatabaseHandle | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
    handle = await openDatabase({ url: database.url, dataDir: database.dataDir });
  });
  afterAll(async () => {
    await handle?.close();
    await database?.drop();
  });
  return {
    get handle() {
      if (!handle) throw new Error('useTestDatabase: the database opens in beforeAll');
      return handle;
    },
    get database() {
      if (!database) throw new Error('useTestDatabase: the database is made in beforeAll');
      return database;
    },
  };
}

/** `empty`: a PGlite database that starts with no schema (a test of the migrations themselves), not the template. */
export async function createTestDatabase(options: { empty?: boolean } = {}): Promise<TestDatabase> {
  if (!TEST_DATABASE_URL) return createPgliteDatabase(options);
  const name = `paybot_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    driver: 'postgres',
    url: url.toString(),
    dataDir: './unused',
    drop: async () => {
      const cleanup = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}

/** Embedded PGlite in a fresh temporary directory, whatever TEST_DATABASE_URL says (see createTestDatabase). */
export function createPgliteDatabase(options: { empty?: boolean } = {}): TestDatabase {
  const dataDir = makeTempDir('paybot-pglite-');
  if (!options.empty) cpSync(inject('pgliteTemplate'), dataDir, { recursive: true });
  return {
    driver: 'pglite',
    url: undefined,
    dataDir,
    drop: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
}
