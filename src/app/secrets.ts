import type { Config } from '../config.js';

/** Exact secret values scrubbed from every log line and from the start-up failure line. */
export function secretsOf(config: Config): string[] {
  return [
    config.botToken,
    config.smartyPay.secretKey,
    config.smartyPay.apiKey,
    config.telegramWebhookSecret,
    config.metrics.token,
  ].filter((secret): secret is string => Boolean(secret));
}

/** `text` with every secret of at least 6 characters replaced (as the logger: a one-letter "secret" would shred it). */
export function redactSecrets(text: string, config: Config): string {
  return secretsOf(config)
    .filter((secret) => secret.length >= 6)
    .reduce((redacted, secret) => redacted.split(secret).join('[REDACTED]'), text);
}
