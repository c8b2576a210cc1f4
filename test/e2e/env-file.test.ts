import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, type ExpectStatic, it } from 'vitest';
import { startProcess } from '../support/app-process.js';

// A developer's .env must never reach a test: startProcess runs the app with ENV_FILE=/dev/null. The app itself
// still reads .env (or ENV_FILE) for local runs. Proved in a temp working directory with its own .env, so the
// checkout's is never touched. The tests run side by side: each only waits for short-lived processes.

let cwd: string;
beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), 'paybot-envfile-'));
  writeFileSync(join(cwd, '.env'), 'SMARTYPAY_SECRET_KEY=from-the-dotenv-file\nINVOICE_TTL_MINUTES=0\n');
});
afterAll(() => {
  rmSync(cwd, { recursive: true, force: true });
});

/** Starts the app in `cwd` with an environment that fails config on purpose; resolves with the problems named. */
async function configProblems(expect: ExpectStatic, env: Record<string, string>): Promise<string[]> {
  const run = startProcess(
    { BOT_TOKEN: '123456:ABC-def_123', SMARTYPAY_API_KEY: 'pk', PORT: 'eighty', ...env },
    { cwd },
  );
  expect(await run.exited).toBe(1);
  return run.stderr
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('config error: '))
    .map((line) => line.slice('config error: '.length).split(':')[0] ?? '')
    .sort();
}

describe.concurrent('the file of variables', () => {
  it('tests: a .env in the working directory is not read', async ({ expect }) => {
    // SMARTYPAY_SECRET_KEY is missing and INVOICE_TTL_MINUTES valid (default): the .env's values never arrived.
    expect(await configProblems(expect, {})).toEqual(['PORT', 'SMARTYPAY_SECRET_KEY']);
  });

  it('local runs: without ENV_FILE the working directory .env is read, real variables win', async ({ expect }) => {
    expect(await configProblems(expect, { ENV_FILE: '' })).toEqual(['INVOICE_TTL_MINUTES', 'PORT']);
    expect(await configProblems(expect, { ENV_FILE: '', INVOICE_TTL_MINUTES: '30' })).toEqual(['PORT']);
  });

  it('ENV_FILE names another file; one that does not exist is an error', async ({ expect }) => {
    const other = join(cwd, 'other.env');
    writeFileSync(other, 'SMARTYPAY_SECRET_KEY=from-other\n');
    expect(await configProblems(expect, { ENV_FILE: other })).toEqual(['PORT']);
    const run = startProcess({ ENV_FILE: join(cwd, 'missing.env') }, { cwd });
    expect(await run.exited).toBe(1);
    expect(run.stderr.join('')).toContain(`config error: ENV_FILE: no such file "${join(cwd, 'missing.env')}"`);
  });
});
