import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { RUNNING_LINE } from '../support/app-process.js';
import { issueInvoice, type TestChat } from '../support/flows.js';
import { type Harness, startHarness } from '../support/harness.js';

// Secrets are redacted by path, so a field that merely shares a secret's everyday name (an invoice's `token`, its
// currency) is logged as it is.

function memoryLogger() {
  const lines: Array<Record<string, any>> = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line));
      callback();
    },
  });
  // No exact secrets to scrub: only the redaction paths are under test.
  return { logger: createLogger({ level: 'info', secrets: [], destination }), lines };
}

describe('log format', () => {
  it('pretty: one human line per entry, not JSON, with the exact secrets still scrubbed', () => {
    const chunks: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, callback) {
        chunks.push(chunk.toString());
        callback();
      },
    });
    const logger = createLogger({ level: 'info', secrets: ['123456:very-secret'], destination, pretty: true });
    logger.info({ token: 'bUSDT', url: 'https://api/bot123456:very-secret/getMe' }, 'invoice issued');
    const text = chunks.join('');
    expect(text).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: invoice issued\n/);
    expect(text).toContain('token: "bUSDT"');
    expect(text).not.toContain('very-secret');
    expect(() => JSON.parse(text)).toThrow();
  });
});

describe('log redaction', () => {
  it('redacts secret paths and keeps a currency named `token`', () => {
    const { logger, lines } = memoryLogger();
    logger.info(
      {
        token: 'bUSDT',
        botToken: '123:bot-token',
        config: { botToken: '123:bot-token', smartyPay: { secretKey: 'sk-secret', apiKey: 'pk-key' } },
        headers: { 'x-telegram-bot-api-secret-token': 'webhook-secret', authorization: 'Bearer metrics-token' },
      },
      'sample',
    );
    expect(lines[0]).toMatchObject({
      token: 'bUSDT',
      botToken: '[REDACTED]',
      config: { botToken: '[REDACTED]', smartyPay: { secretKey: '[REDACTED]', apiKey: '[REDACTED]' } },
      headers: { 'x-telegram-bot-api-secret-token': '[REDACTED]', authorization: '[REDACTED]' },
    });
  });

  describe('through the app', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness();
    });
    afterAll(async () => {
      await h?.close();
    });

    it('"invoice issued" keeps token: bUSDT; the bot token and secret key appear in no line', async () => {
      const chat: TestChat = { id: 990_001, type: 'private' };
      await issueInvoice(h, chat, '/pay 5 bUSDT');
      const [issued] = h.logs.find('invoice issued');
      expect(issued).toMatchObject({ token: 'bUSDT', amount: '5' });
      expect(h.logs.find(RUNNING_LINE)).toHaveLength(1);
      expect(h.logs.find(RUNNING_LINE)[0]?.msg).toBe(
        '@test_bot is running — open https://t.me/test_bot and send /start',
      );
      for (const line of h.logs.raw) {
        expect(line).not.toContain(h.config.botToken);
        expect(line).not.toContain(h.config.smartyPay.secretKey);
      }
    });
  });
});
