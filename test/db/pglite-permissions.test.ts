import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { makeTempDir } from '../support/temp-dir.js';

// The embedded database holds every invoice: only its owner may read or write it, whatever the umask.

/** Every entry under `directory` whose mode is not 0700 (directories) or 0600 (files), with its mode. */
function loosePermissions(directory: string): string[] {
  const loose: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const mode = statSync(path).mode & 0o777;
      const wanted = entry.isDirectory() ? 0o700 : 0o600;
      if (mode !== wanted) loose.push(`${path.slice(directory.length)} ${mode.toString(8)}`);
      if (entry.isDirectory()) walk(path);
    }
  };
  walk(directory);
  return loose;
}

const root = makeTempDir('paybot-perms-');
const dataDir = join(root, 'data');
let previousUmask: number;

beforeAll(() => {
  previousUmask = process.umask(0);
});
afterAll(() => {
  process.umask(previousUmask);
  rmSync(root, { recursive: true, force: true });
});

describe('PGlite data directory permissions (umask 0)', () => {
  it('directory 0700 and every file 0600 after start, after writes and after a reopen', async () => {
    const first = await openDatabase({ url: undefined, dataDir });
    try {
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      expect(readdirSync(dataDir).length).toBeGreaterThan(5);
      expect(loosePermissions(dataDir)).toEqual([]);

      await first.query('create table permission_probe (id int primary key, note text)', []);
      await first.query("insert into permission_probe select g, repeat('x', 200) from generate_series(1, 500) g", []);
      await first.query('checkpoint', []);
      expect(loosePermissions(dataDir)).toEqual([]);
    } finally {
      await first.close();
    }
    const again = await openDatabase({ url: undefined, dataDir });
    try {
      expect((await again.query('select count(*)::int as n from permission_probe', []))[0]?.n).toBe(500);
      expect(loosePermissions(dataDir)).toEqual([]);
    } finally {
      await again.close();
    }
  }, 60_000);
});
