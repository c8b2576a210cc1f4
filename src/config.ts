import { existsSync } from 'node:fs';
import { z } from 'zod';
import { SMARTYPAY_STAGING_HOST } from './payments/client.js';
import { findCurrency, MAINNET_TOKENS, TESTNET_TOKENS, type TokenPolicy } from './payments/currencies.js';

// The only place that reads the environment. Everything else receives a typed Config.

const blankToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

const integer = (min: number, max: number, fallback: number) =>
  z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: 'must be a whole number' })
      .int({ error: 'must be a whole number' })
      .min(min, { error: `must be at least ${min}` })
      .max(max, { error: `must be at most ${max}` })
      .default(fallback),
  );

const required = (what: string) => z.preprocess(blankToUndefined, z.string({ error: `is required (${what})` }).min(1));

/** The canonical token for a name, or the problem with it. */
function readToken(word: string): { value: string; problem?: string } {
  const token = findCurrency(word);
  return token ? { value: token } : { value: word, problem: `unknown SMARTy Pay token "${word}"` };
}

function readUserId(word: string): { value: number; problem?: string } {
  return /^[1-9]\d{0,15}$/.test(word)
    ? { value: Number(word) }
    : { value: Number.NaN, problem: `"${word}" is not a Telegram user id (digits, like 123456789)` };
}

function readReminderHours(word: string): { value: number; problem?: string } {
  return /^[1-9]\d{0,3}$/.test(word) && Number(word) <= 24 * 90
    ? { value: Number(word) }
    : { value: Number.NaN, problem: `"${word}" is not a number of hours (1 to 2160, like 72)` };
}

function readGroupChatId(word: string): { value: number; problem?: string } {
  return /^-[1-9]\d{0,15}$/.test(word)
    ? { value: Number(word) }
    : { value: Number.NaN, problem: `"${word}" is not a Telegram group chat id (negative, like -1001234567890)` };
}

const tokenName = z.string().transform((value, ctx) => {
  const { value: token, problem } = readToken(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
  return token;
});

/** "a, b,c" → each item read by `read`; every bad item is reported. Blank = unset. */
const commaList = <T>(read: (word: string) => { value: T; problem?: string }) =>
  z.preprocess(
    blankToUndefined,
    z
      .string()
      .transform((value, ctx) =>
        value
          .split(',')
          .map((word) => word.trim())
          .filter(Boolean)
          .map((word) => {
            const { value: item, problem } = read(word);
            if (problem) ctx.addIssue({ code: 'custom', message: problem });
            return item;
          }),
      )
      .optional(),
  );

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const schema = z
  .object({
    BOT_TOKEN: required('the token @BotFather gave you').pipe(
      z.string().regex(/^\d+:[\w-]+$/, { error: 'does not look like a bot token (123456:ABC-...)' }),
    ),
    TELEGRAM_API_ROOT: z.preprocess(blankToUndefined, httpUrl.default('https://api.telegram.org')),
    SMARTYPAY_API_KEY: required('public API key from the SMARTy Pay dashboard'),
    SMARTYPAY_SECRET_KEY: required('secret API key from the SMARTy Pay dashboard'),
    SMARTYPAY_API_HOST: z.preprocess(blankToUndefined, httpUrl.optional()),
    SMARTYPAY_CHECKOUT_URL: z.preprocess(blankToUndefined, httpUrl.default('https://checkout.smartypay.io/invoice')),
    SMARTYPAY_TIMEOUT_MS: integer(100, 120_000, 15_000),
    DATABASE_URL: z.preprocess(
      blankToUndefined,
      z
        .string()
        .regex(/^postgres(ql)?:\/\//, { error: 'must be a postgres:// or postgresql:// URL' })
        .optional(),
    ),
    DATA_DIR: z.preprocess(blankToUndefined, z.string().default('./data')),
    PORT: integer(0, 65_535, 3000),
    HOST: z.preprocess(blankToUndefined, z.string().default('0.0.0.0')),
    METRICS_HOST: z.preprocess(blankToUndefined, z.string().default('127.0.0.1')),
    METRICS_PORT: integer(0, 65_535, 9464),
    METRICS_TOKEN: z.preprocess(
      blankToUndefined,
      z
        .string()
        .min(16, { error: 'must be at least 16 characters' })
        .regex(/^[\x21-\x7e]+$/, { error: 'must be printable ASCII without spaces' })
        .optional(),
    ),
    STARTUP_TIMEOUT_SECONDS: integer(1, 3600, 60),
    // Read by main() before this schema, to find the file of variables; listed here so it is documented.
    ENV_FILE: z.preprocess(blankToUndefined, z.string().optional()),
    INVOICE_TTL_MINUTES: integer(1, 60 * 24 * 30, 60),
    DEFAULT_TOKEN: z.preprocess(blankToUndefined, tokenName.optional()),
    ALLOWED_TOKENS: commaList(readToken),
    SMARTYPAY_STAGING: z.preprocess(
      blankToUndefined,
      z.enum(['true', 'false', '1', '0'], { error: 'must be true or false' }).default('false'),
    ),
    LOG_FORMAT: z.preprocess(
      blankToUndefined,
      z.enum(['auto', 'json', 'pretty'], { error: 'must be auto, json or pretty' }).default('auto'),
    ),
    LOG_LEVEL: z.preprocess(
      blankToUndefined,
      z.enum(logLevels, { error: `must be one of ${logLevels.join(', ')}` }).default('info'),
    ),
    SHUTDOWN_TIMEOUT_MS: integer(0, 120_000, 10_000),
    OUTBOX_LEASE_SECONDS: integer(2, 60, 30),
    OUTBOX_MAX_AGE_HOURS: integer(1, 24 * 7, 24),
    TELEGRAM_MAX_PER_SECOND: integer(1, 1000, 30),
    TELEGRAM_PRIVATE_CHAT_INTERVAL_MS: integer(0, 60_000, 1100),
    TELEGRAM_GROUP_CHAT_INTERVAL_MS: integer(0, 60_000, 3100),
    RECHECK_MAX_PER_MINUTE: integer(1, 10_000, 60),
    RECHECK_INTERVAL_MS: integer(100, 600_000, 5000),
    BOT_CONCURRENCY: integer(1, 5000, 500),
    BOT_MODE: z.preprocess(
      blankToUndefined,
      z.enum(['polling', 'webhook'], { error: 'must be polling or webhook' }).default('polling'),
    ),
    PUBLIC_URL: z.preprocess(
      blankToUndefined,
      z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    ),
    TELEGRAM_WEBHOOK_SECRET: z.preprocess(
      blankToUndefined,
      z
        .string()
        .min(16, { error: 'must be at least 16 characters' })
        .max(256, { error: 'must be at most 256 characters' })
        .regex(/^[A-Za-z0-9_-]+$/, { error: "may contain only A-Z, a-z, 0-9, _ and - (Telegram's rule)" })
        .optional(),
    ),
    DATABASE_POOL_MAX: integer(1, 100, 10),
    MERCHANT_USER_IDS: commaList(readUserId),
    MERCHANT_CHAT_IDS: commaList(readGroupChatId),
    PAY_RATE_LIMIT_PER_MINUTE: integer(0, 10_000, 10),
    INVOICE_GLOBAL_LIMIT_PER_MINUTE: integer(0, 1_000_000, 600),
    SMARTYPAY_MAX_IN_FLIGHT: integer(1, 10_000, 100),
    CHECK_STATUS_PER_USER_PER_MINUTE: integer(0, 10_000, 5),
    REMINDER_MINUTES: integer(0, 60 * 24, 10),
    ACCESS_GRACE_MINUTES: integer(0, 60 * 24 * 30, 0),
    ACCESS_REMINDER_HOURS: commaList(readReminderHours),
    DATA_RETENTION_DAYS: integer(0, 36_500, 90),
    MINIAPP_AUTH_MAX_AGE_SECONDS: integer(60, 30 * 86_400, 86_400),
  })
  .superRefine((env, ctx) => {
    const staging = env.SMARTYPAY_STAGING === 'true' || env.SMARTYPAY_STAGING === '1';
    const accepted: readonly string[] = env.ALLOWED_TOKENS ?? (staging ? TESTNET_TOKENS : MAINNET_TOKENS);
    const defaultToken = env.DEFAULT_TOKEN ?? accepted[0];
    if (env.ALLOWED_TOKENS?.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['ALLOWED_TOKENS'], message: 'names no token' });
    } else if (defaultToken && !accepted.includes(defaultToken)) {
      ctx.addIssue({
        code: 'custom',
        path: ['DEFAULT_TOKEN'],
        message: `"${defaultToken}" is not among the accepted tokens (${accepted.join(', ')})`,
      });
    }
    if (env.BOT_MODE !== 'webhook') return;
    if (!env.PUBLIC_URL) {
      ctx.addIssue({ code: 'custom', path: ['PUBLIC_URL'], message: 'is required when BOT_MODE=webhook' });
    }
    if (!env.TELEGRAM_WEBHOOK_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['TELEGRAM_WEBHOOK_SECRET'],
        message: 'is required when BOT_MODE=webhook (16+ characters)',
      });
    }
  });

export type Env = z.infer<typeof schema>;

export interface Config {
  botToken: string;
  telegramApiRoot: string;
  smartyPay: {
    apiKey: string;
    secretKey: string;
    apiHost: string | undefined;
    checkoutUrl: string;
    timeoutMs: number;
    /** SMARTy Pay calls in flight at once from this process; more wait for a slot. */
    maxInFlight: number;
  };
  databaseUrl: string | undefined;
  dataDir: string;
  http: { port: number; host: string };
  /** GET /metrics on its own listener (loopback by default); `token` = required bearer token. */
  metrics: { host: string; port: number; token: string | undefined };
  /** At start, Telegram and then Postgres each get this long to answer before start-up fails (exit 1). */
  startupTimeoutMs: number;
  invoiceTtlMinutes: number;
  /** Accepted tokens and the default; testnet ones with SMARTYPAY_STAGING. */
  tokens: TokenPolicy;
  logLevel: (typeof logLevels)[number];
  /** auto: human lines when stdout is a terminal, JSON otherwise (the composition root decides). */
  logFormat: 'auto' | 'json' | 'pretty';
  shutdownTimeoutMs: number;
  outbox: { leaseMs: number; maxAgeMs: number };
  telegramPacing: { perSecond: number; privateChatIntervalMs: number; groupChatIntervalMs: number };
  recheck: { maxPerMinute: number; intervalMs: number };
  /** Updates handled at once (different chats; one chat's updates stay in order). */
  botConcurrency: number;
  databasePoolMax: number;
  /** polling: getUpdates (one process). webhook: Telegram POSTs to PUBLIC_URL/telegram/webhook (any number). */
  botMode: 'polling' | 'webhook';
  publicUrl: string | undefined;
  telegramWebhookSecret: string | undefined;
  /** MERCHANT_USER_IDS: they may issue and manage invoices anywhere; unset = setup mode (nobody may). */
  merchantUserIds: number[] | undefined;
  /** MERCHANT_CHAT_IDS: groups whose administrators may also act as merchants there. */
  merchantChatIds: number[];
  /** Invoices one user (or anonymous admin's group) may create per minute; 0 = no limit. */
  payRateLimitPerMinute: number;
  /** Invoices created per minute by everyone together, across processes; 0 = no cap. */
  invoiceGlobalLimitPerMinute: number;
  /** "Check status" taps one user may send to SMARTy Pay per minute; 0 = no per-user limit. */
  checkStatusPerUserPerMinute: number;
  /** Remind the chat this long before an unpaid invoice expires; 0 = no reminders. */
  reminderMinutes: number;
  /** Paid access: a lapsed member is removed this long after their access ended. */
  accessGraceMinutes: number;
  /** Paid access: renewal reminders this many hours before the end (periods under a day: once, 1/8 before). */
  accessReminderHours: number[];
  /** Finished outbox rows and webhook events are deleted after this many days; 0 keeps them forever. */
  dataRetentionDays: number;
  /** The dashboard Mini App (src/miniapp/): Telegram's signed initData older than this is refused (401). */
  miniAppAuthMaxAgeSeconds: number;
}

function isStaging(e: Env): boolean {
  return e.SMARTYPAY_STAGING === 'true' || e.SMARTYPAY_STAGING === '1';
}

function tokenPolicy(e: Env): TokenPolicy {
  // Mainnet tokens by default; testnet ones on SMARTy Pay's staging. bUSDT (or btUSDTv2) leads each list.
  const accepted = e.ALLOWED_TOKENS ?? [...(isStaging(e) ? TESTNET_TOKENS : MAINNET_TOKENS)];
  return { accepted, defaultToken: e.DEFAULT_TOKEN ?? accepted[0] ?? 'bUSDT' };
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment once. Throws ConfigError listing every bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = issue.path.join('.') || '(environment)';
      return `${name}: ${issue.message}`;
    });
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  return {
    botToken: e.BOT_TOKEN,
    telegramApiRoot: e.TELEGRAM_API_ROOT.replace(/\/+$/, ''),
    smartyPay: {
      apiKey: e.SMARTYPAY_API_KEY,
      secretKey: e.SMARTYPAY_SECRET_KEY,
      apiHost: (e.SMARTYPAY_API_HOST ?? (isStaging(e) ? SMARTYPAY_STAGING_HOST : undefined))?.replace(/\/+$/, ''),
      checkoutUrl: e.SMARTYPAY_CHECKOUT_URL,
      timeoutMs: e.SMARTYPAY_TIMEOUT_MS,
      maxInFlight: e.SMARTYPAY_MAX_IN_FLIGHT,
    },
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    http: { port: e.PORT, host: e.HOST },
    metrics: { host: e.METRICS_HOST, port: e.METRICS_PORT, token: e.METRICS_TOKEN },
    startupTimeoutMs: e.STARTUP_TIMEOUT_SECONDS * 1000,
    invoiceTtlMinutes: e.INVOICE_TTL_MINUTES,
    tokens: tokenPolicy(e),
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    outbox: { leaseMs: e.OUTBOX_LEASE_SECONDS * 1000, maxAgeMs: e.OUTBOX_MAX_AGE_HOURS * 3_600_000 },
    telegramPacing: {
      perSecond: e.TELEGRAM_MAX_PER_SECOND,
      privateChatIntervalMs: e.TELEGRAM_PRIVATE_CHAT_INTERVAL_MS,
      groupChatIntervalMs: e.TELEGRAM_GROUP_CHAT_INTERVAL_MS,
    },
    recheck: { maxPerMinute: e.RECHECK_MAX_PER_MINUTE, intervalMs: e.RECHECK_INTERVAL_MS },
    botConcurrency: e.BOT_CONCURRENCY,
    databasePoolMax: e.DATABASE_POOL_MAX,
    botMode: e.BOT_MODE,
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ''),
    telegramWebhookSecret: e.TELEGRAM_WEBHOOK_SECRET,
    merchantUserIds: e.MERCHANT_USER_IDS,
    merchantChatIds: e.MERCHANT_CHAT_IDS ?? [],
    payRateLimitPerMinute: e.PAY_RATE_LIMIT_PER_MINUTE,
    invoiceGlobalLimitPerMinute: e.INVOICE_GLOBAL_LIMIT_PER_MINUTE,
    checkStatusPerUserPerMinute: e.CHECK_STATUS_PER_USER_PER_MINUTE,
    reminderMinutes: e.REMINDER_MINUTES,
    accessGraceMinutes: e.ACCESS_GRACE_MINUTES,
    accessReminderHours: e.ACCESS_REMINDER_HOURS ?? [72, 24],
    dataRetentionDays: e.DATA_RETENTION_DAYS,
    miniAppAuthMaxAgeSeconds: e.MINIAPP_AUTH_MAX_AGE_SECONDS,
  };
}

/**
 * The file of variables main() loads before parsing: ENV_FILE, else `.env` in the working directory when there
 * is one. A file named by ENV_FILE must exist (tests pass /dev/null so a developer's `.env` never reaches them).
 */
export function envFileToLoad(env: Record<string, string | undefined>): { path?: string; problem?: string } {
  const named = env.ENV_FILE?.trim();
  if (!named) return existsSync('.env') ? { path: '.env' } : {};
  return existsSync(named) ? { path: named } : { problem: `ENV_FILE: no such file "${named}"` };
}

/** Every variable the app reads (README and .env.example must document each). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(schema.shape);
