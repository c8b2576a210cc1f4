import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

const valid = {
  BOT_TOKEN: '123456:ABC-def_123',
  SMARTYPAY_API_KEY: 'pk_live',
  SMARTYPAY_SECRET_KEY: 'sk_live',
};

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  it('fills in the documented defaults', () => {
    const config = loadConfig(valid);
    expect(config.telegramApiRoot).toBe('https://api.telegram.org');
    expect(config.smartyPay.apiHost).toBeUndefined();
    expect(config.smartyPay.checkoutUrl).toBe('https://checkout.smartypay.io/invoice');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.dataDir).toBe('./data');
    expect(config.http).toEqual({ port: 3000, host: '0.0.0.0' });
    expect(config.invoiceTtlMinutes).toBe(60);
    expect(config.tokens.defaultToken).toBe('bUSDT');
    expect(config.tokens.accepted).toContain('pUSDC');
    expect(config.tokens.accepted).not.toContain('btUSDTv2');
    expect(config.logLevel).toBe('info');
    expect(config.merchantUserIds).toBeUndefined();
    expect(config.merchantChatIds).toEqual([]);
    expect(config.payRateLimitPerMinute).toBe(10);
    expect(config.invoiceGlobalLimitPerMinute).toBe(600);
    expect(config.checkStatusPerUserPerMinute).toBe(5);
    expect(config.smartyPay.maxInFlight).toBe(100);
    expect(config.reminderMinutes).toBe(10);
    expect(config.dataRetentionDays).toBe(90);
  });

  it('names every missing required variable, one line each', () => {
    const lines = problems({});
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^BOT_TOKEN: is required/);
    expect(lines[1]).toMatch(/^SMARTYPAY_API_KEY: is required/);
    expect(lines[2]).toMatch(/^SMARTYPAY_SECRET_KEY: is required/);
  });

  it('explains bad values', () => {
    const lines = problems({
      ...valid,
      BOT_TOKEN: 'nonsense',
      PORT: 'eighty',
      INVOICE_TTL_MINUTES: '0',
      DEFAULT_TOKEN: 'DOGE',
      DATABASE_URL: 'mysql://x',
      LOG_LEVEL: 'loud',
      TELEGRAM_API_ROOT: 'ftp://x',
    });
    expect(lines.map((line) => line.split(':')[0]).sort()).toEqual(
      [
        'BOT_TOKEN',
        'DATABASE_URL',
        'DEFAULT_TOKEN',
        'INVOICE_TTL_MINUTES',
        'LOG_LEVEL',
        'PORT',
        'TELEGRAM_API_ROOT',
      ].sort(),
    );
    expect(lines.find((line) => line.startsWith('INVOICE_TTL_MINUTES'))).toContain('at least 1');
  });

  it('canonicalises the default token and treats blank values as unset', () => {
    const config = loadConfig({ ...valid, DEFAULT_TOKEN: 'pusdt', PORT: '', DATABASE_URL: ' ' });
    expect(config.tokens.defaultToken).toBe('pUSDT');
    expect(config.http.port).toBe(3000);
    expect(config.databaseUrl).toBeUndefined();
  });

  it('webhook mode needs PUBLIC_URL and a secret of 16+ characters', () => {
    expect(problems({ ...valid, BOT_MODE: 'webhook' }).map((line) => line.split(':')[0])).toEqual([
      'PUBLIC_URL',
      'TELEGRAM_WEBHOOK_SECRET',
    ]);
    expect(
      problems({
        ...valid,
        BOT_MODE: 'webhook',
        PUBLIC_URL: 'https://bot.example.com',
        TELEGRAM_WEBHOOK_SECRET: 'short',
      }),
    ).toEqual(['TELEGRAM_WEBHOOK_SECRET: must be at least 16 characters']);
    const config = loadConfig({
      ...valid,
      BOT_MODE: 'webhook',
      PUBLIC_URL: 'https://bot.example.com/',
      TELEGRAM_WEBHOOK_SECRET: 'a'.repeat(16),
    });
    expect(config.botMode).toBe('webhook');
    expect(config.publicUrl).toBe('https://bot.example.com');
    expect(problems({ ...valid, BOT_MODE: 'push' })[0]).toMatch(/^BOT_MODE: must be polling or webhook/);
  });

  it('ALLOWED_TOKENS restricts the tokens; SMARTYPAY_STAGING selects the staging host and testnet tokens', () => {
    const allowed = loadConfig({ ...valid, ALLOWED_TOKENS: 'pusdc, busdt' });
    expect(allowed.tokens).toEqual({ accepted: ['pUSDC', 'bUSDT'], defaultToken: 'pUSDC' });
    const staging = loadConfig({ ...valid, SMARTYPAY_STAGING: 'true' });
    expect(staging.smartyPay.apiHost).toBe('https://ncps-api.staging.mnxsc.tech');
    expect(staging.tokens.defaultToken).toBe('btUSDTv2');
    expect(staging.tokens.accepted).not.toContain('bUSDT');
    expect(problems({ ...valid, ALLOWED_TOKENS: 'pUSDC,DOGE' })).toEqual([
      'ALLOWED_TOKENS: unknown SMARTy Pay token "DOGE"',
    ]);
    expect(problems({ ...valid, ALLOWED_TOKENS: 'pUSDC', DEFAULT_TOKEN: 'bUSDT' })[0]).toMatch(
      /^DEFAULT_TOKEN: "bUSDT" is not among the accepted tokens/,
    );
  });

  it('MERCHANT_USER_IDS is a comma-separated list of user ids; limits accept 0 for off', () => {
    const config = loadConfig({ ...valid, MERCHANT_USER_IDS: ' 42, 123456789 ,', PAY_RATE_LIMIT_PER_MINUTE: '0' });
    expect(config.merchantUserIds).toEqual([42, 123456789]);
    expect(config.payRateLimitPerMinute).toBe(0);
    expect(loadConfig({ ...valid, REMINDER_MINUTES: '0' }).reminderMinutes).toBe(0);
    expect(loadConfig({ ...valid, DATA_RETENTION_DAYS: '0' }).dataRetentionDays).toBe(0);
    expect(problems({ ...valid, DATA_RETENTION_DAYS: '-1' })).toEqual(['DATA_RETENTION_DAYS: must be at least 0']);
    expect(problems({ ...valid, MERCHANT_USER_IDS: '42,@shop' })).toEqual([
      'MERCHANT_USER_IDS: "@shop" is not a Telegram user id (digits, like 123456789)',
    ]);
  });

  it('MERCHANT_CHAT_IDS lists negative group ids; the new limits read 0 as off where it means off', () => {
    const config = loadConfig({
      ...valid,
      MERCHANT_CHAT_IDS: '-1001234567890, -42',
      INVOICE_GLOBAL_LIMIT_PER_MINUTE: '0',
      CHECK_STATUS_PER_USER_PER_MINUTE: '0',
      SMARTYPAY_MAX_IN_FLIGHT: '7',
    });
    expect(config.merchantChatIds).toEqual([-1001234567890, -42]);
    expect(config.invoiceGlobalLimitPerMinute).toBe(0);
    expect(config.checkStatusPerUserPerMinute).toBe(0);
    expect(config.smartyPay.maxInFlight).toBe(7);
    expect(problems({ ...valid, MERCHANT_CHAT_IDS: '-42,1001234567890', SMARTYPAY_MAX_IN_FLIGHT: '0' })).toEqual([
      'MERCHANT_CHAT_IDS: "1001234567890" is not a Telegram group chat id (negative, like -1001234567890)',
      'SMARTYPAY_MAX_IN_FLIGHT: must be at least 1',
    ]);
  });
});

// The variables of the network exposure and start-up: /metrics apart from the webhook port, and the start-up deadline.
describe('exposure and start-up configuration', () => {
  it('defaults: /metrics on 127.0.0.1:9464 without a token, 60 s to start', () => {
    const config = loadConfig(valid);
    expect(config.metrics).toEqual({ host: '127.0.0.1', port: 9464, token: undefined });
    expect(config.startupTimeoutMs).toBe(60_000);
  });

  it('reads METRICS_HOST, METRICS_PORT (0 = a free port), METRICS_TOKEN and STARTUP_TIMEOUT_SECONDS', () => {
    const config = loadConfig({
      ...valid,
      METRICS_HOST: '0.0.0.0',
      METRICS_PORT: '0',
      METRICS_TOKEN: 'a-long-metrics-token-1234',
      STARTUP_TIMEOUT_SECONDS: '3',
    });
    expect(config.metrics).toEqual({ host: '0.0.0.0', port: 0, token: 'a-long-metrics-token-1234' });
    expect(config.startupTimeoutMs).toBe(3_000);
  });

  it('explains bad values', () => {
    const lines = problems({
      ...valid,
      METRICS_PORT: '70000',
      METRICS_TOKEN: 'short',
      STARTUP_TIMEOUT_SECONDS: '0',
    });
    expect(lines.sort()).toEqual([
      'METRICS_PORT: must be at most 65535',
      'METRICS_TOKEN: must be at least 16 characters',
      'STARTUP_TIMEOUT_SECONDS: must be at least 1',
    ]);
    expect(problems({ ...valid, METRICS_TOKEN: 'has a space in it 0123' })).toEqual([
      'METRICS_TOKEN: must be printable ASCII without spaces',
    ]);
  });
});
