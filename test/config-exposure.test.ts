import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

// The variables of the network exposure and start-up: /metrics apart from the webhook port, and the start-up deadline.

const valid = { BOT_TOKEN: '123456:ABC-def_123', SMARTYPAY_API_KEY: 'pk_live', SMARTYPAY_SECRET_KEY: 'sk_live' };

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

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
