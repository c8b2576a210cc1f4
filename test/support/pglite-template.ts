import { rmSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/db/client.js';
import './database.js'; // declares what provide('pgliteTemplate') carries
import { makeTempDir } from './temp-dir.js';

// vitest globalSetup: initdb and the migrations run once per `vitest run` into a template data directory that
// every PGlite test database then starts as a copy of (test/support/database.ts). Opening a fresh PGlite
// directory costs seconds (far more on a loaded machine); copying the template, a fraction of one. Made with
// TEST_DATABASE_URL set too: the process and sandbox tests run on PGlite either way.

export default async function setup(project: TestProject): Promise<() => void> {
  const dataDir = makeTempDir('paybot-pglite-template-');
  const handle = await openDatabase({ url: undefined, dataDir });
  await handle.close();
  project.provide('pgliteTemplate', dataDir);
  return () => rmSync(dataDir, { recursive: true, force: true });
}
