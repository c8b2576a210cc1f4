import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/db/client.js';
import './database.js'; // declares what provide('pgliteTemplate') carries

// vitest globalSetup: on PGlite, initdb and the migrations run once per `vitest run` into a template data
// directory that every test database then starts as a copy of (test/support/database.ts). Opening a fresh
// PGlite directory costs seconds (far more on a loaded machine); copying the template, a fraction of one.
// With TEST_DATABASE_URL set every test file gets a real Postgres database instead, and no template is made.

export default async function setup(project: TestProject): Promise<() => void> {
  if (process.env.TEST_DATABASE_URL) {
    project.provide('pgliteTemplate', '');
    return () => {};
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'paybot-pglite-template-'));
  const handle = await openDatabase({ url: undefined, dataDir });
  await handle.close();
  project.provide('pgliteTemplate', dataDir);
  return () => rmSync(dataDir, { recursive: true, force: true });
}
