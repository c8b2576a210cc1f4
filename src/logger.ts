import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

// Paths that carry secrets in a log object; values are replaced, never printed. By path, not by a bare name
// that means something else here: `token` is the currency of an invoice ("invoice issued" logs `token: 'bUSDT'`).
// The exact secret values are also scrubbed from every line (streamWrite below), whatever the field.
const REDACT_PATHS = [
  'botToken',
  'secretKey',
  'apiKey',
  'config.botToken',
  'config.smartyPay.secretKey',
  'config.smartyPay.apiKey',
  'headers["x-api-sig"]',
  'headers["x-api-key"]',
  'headers["x-sp-digest"]',
  'headers["x-api-digest"]',
  'req.headers["x-sp-digest"]',
  'req.headers["x-api-digest"]',
  'headers["x-telegram-bot-api-secret-token"]',
  'req.headers["x-telegram-bot-api-secret-token"]',
  'headers.authorization',
  'req.headers.authorization',
];

export interface LoggerOptions {
  level: string;
  /** Exact secret values to scrub from any message text (e.g. the bot token inside a grammY error URL). */
  secrets: string[];
  destination?: pino.DestinationStream;
  /** Human lines (a terminal) instead of JSON; secrets are scrubbed before either is written. */
  pretty?: boolean;
}

export function createLogger(options: LoggerOptions): Logger {
  const secrets = options.secrets.filter((s) => s.length >= 6);
  const scrub = (text: string) => secrets.reduce((acc, secret) => acc.split(secret).join('[REDACTED]'), text);
  return pino(
    {
      level: options.level,
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      hooks: {
        // grammY puts the token in request URLs and error messages; scrub whole lines, whatever the field.
        streamWrite: scrub,
      },
    },
    options.pretty
      ? // Synchronous, in this thread: no worker to lose lines when the process exits right after logging.
        pretty({
          sync: true,
          colorize: options.destination === undefined,
          translateTime: 'SYS:HH:MM:ss',
          ignore: 'pid,hostname',
          destination: options.destination ?? 1,
        })
      : (options.destination ?? pino.destination(1)),
  );
}
