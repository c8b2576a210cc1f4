import { describe, it } from 'vitest';
import { startProcess, waitForUrl } from '../support/app-process.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { type FakeSmartyPay, startFakeSmartyPay } from '../support/fake-smartypay.js';
import { type FakeTelegram, startFakeTelegram } from '../support/fake-telegram.js';

// The app as `npm start` runs it: a separate process that only sees its environment and HTTP. The tests run side
// by side (each waits on its own process); each cleans up through its own context, last step registered first.

describe.concurrent('npm start', () => {
  it('exits non-zero with one line per bad variable and no stack trace', async ({ expect }) => {
    const run = startProcess({ PORT: 'eighty', INVOICE_TTL_MINUTES: '0' });
    expect(await run.exited).toBe(1);
    const lines = run.stderr.join('').trim().split('\n');
    const problems = lines.filter((line) => line.startsWith('config error: '));
    expect(problems.map((line) => line.split(':')[1]?.trim()).sort()).toEqual(
      ['BOT_TOKEN', 'INVOICE_TTL_MINUTES', 'PORT', 'SMARTYPAY_API_KEY', 'SMARTYPAY_SECRET_KEY'].sort(),
    );
    expect(run.stderr.join('')).not.toMatch(/\n\s+at /);
    expect(lines.at(-1)).toBe('No accounts yet? `npm run sandbox` tries everything locally, with no configuration.');
  });

  it("a wrong bot token stops the start with Telegram's answer, exit 1", async ({ expect, onTestFinished }) => {
    const telegram: FakeTelegram = await startFakeTelegram();
    const database: TestDatabase = await createTestDatabase();
    onTestFinished(() => database.drop());
    onTestFinished(() => telegram.close());
    const run = startProcess({
      BOT_TOKEN: '999:not-the-token',
      TELEGRAM_API_ROOT: telegram.apiRoot,
      SMARTYPAY_API_KEY: 'pk',
      SMARTYPAY_SECRET_KEY: 'sk',
      ...(database.url ? { DATABASE_URL: database.url } : { DATA_DIR: database.dataDir }),
      PORT: '0',
    });
    expect(await run.exited).toBe(1);
    const stderr = run.stderr.join('');
    expect(stderr).toMatch(/startup failed: .*getMe.*401/);
    expect(stderr).not.toContain('not-the-token');
  }, 120_000);

  it('runs the loop against HTTP fakes and exits 0 on SIGTERM', async ({ expect, onTestFinished }) => {
    const telegram: FakeTelegram = await startFakeTelegram({ maxLongPollMs: 200 });
    const smartypay: FakeSmartyPay = await startFakeSmartyPay();
    const database: TestDatabase = await createTestDatabase();
    onTestFinished(() => database.drop());
    onTestFinished(() => smartypay.close());
    onTestFinished(() => telegram.close());

    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const run = startProcess({
      BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      SMARTYPAY_API_KEY: smartypay.apiKey,
      SMARTYPAY_SECRET_KEY: smartypay.secretKey,
      SMARTYPAY_API_HOST: smartypay.url,
      ...(database.url ? { DATABASE_URL: database.url } : { DATA_DIR: database.dataDir }),
      PORT: String(port),
      HOST: '127.0.0.1',
      // Without a merchant the bot would start in setup mode and create nothing.
      MERCHANT_USER_IDS: '777',
    });
    onTestFinished(() => {
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
    });
    await waitForUrl(`http://127.0.0.1:${port}/readyz`);

    const chat = { id: 777, type: 'private' as const };
    telegram.sendText({ chat, from: { id: 777, first_name: 'Solo' }, text: '/pay 1.99 bUSDT' });
    await telegram.waitFor(
      (calls) => calls.some((c) => c.method === 'sendMessage' && c.params.chat_id === 777),
      10_000,
    );
    const [invoice] = smartypay.createdInvoices();
    const delivered = await smartypay.sendWebhook(`http://127.0.0.1:${port}/webhooks/smartypay`, invoice?.id ?? '', {
      status: 'Paid',
    });
    expect(delivered.status).toBe(200);
    await telegram.waitFor((calls) => calls.filter((c) => c.method === 'sendMessage').length === 2, 10_000);

    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    const logs = run.stdout.join('');
    expect(logs).toContain('"msg":"stopped"');
    expect(logs).not.toContain(telegram.token);
    expect(logs).not.toContain(smartypay.secretKey);
  }, 120_000);
});
