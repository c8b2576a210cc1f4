import type { Logger } from 'pino';

// Start-up waits on two remote services, Telegram and the database. Each wait is bounded by one deadline
// (STARTUP_TIMEOUT_SECONDS), retried visibly in the log, and ends in one StartupError that names the service,
// where it was reached and the last cause: the line an operator reads when the bot does not come up.

export type Dependency = 'Telegram' | 'the database';

export class StartupError extends Error {
  constructor(
    readonly dependency: Dependency,
    /** Where it was reached: the API root, or host:port/database (never credentials). */
    readonly target: string,
    readonly reason: string,
  ) {
    super(`${dependency} (${target}) ${reason}`);
    this.name = 'StartupError';
  }
}

/** The innermost message of an error chain (grammY's HttpError and drizzle's query error wrap the real cause). */
export function rootCause(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 5; depth++) {
    const inner = (current as { error?: unknown; cause?: unknown } | undefined)?.error ?? (current as any)?.cause;
    if (inner === undefined || inner === null || typeof inner !== 'object') break;
    current = inner;
  }
  const message = current instanceof Error ? current.message : String(current);
  return message.replace(/\s+/g, ' ').trim() || String(error);
}

export interface RetryOptions<T> {
  dependency: Dependency;
  target: string;
  /** Date.now() by which the attempt must have succeeded. */
  deadline: number;
  logger: Logger;
  /** One attempt never waits longer than this, so a hung connection is retried rather than waited on. */
  attemptTimeoutMs: number;
  /** Values never to repeat in a cause (grammY's error messages carry the request URL, bot token included). */
  secrets?: string[];
  /** False for answers that will not change on a retry (a revoked token, a wrong password). */
  retryable(error: unknown): boolean;
  attempt(signal: AbortSignal): Promise<T>;
}

/** Runs `attempt` until it succeeds, fails for good, or the deadline passes (StartupError). */
export async function retryUntilDeadline<T>(options: RetryOptions<T>): Promise<T> {
  const { dependency, target, deadline, logger } = options;
  const totalSeconds = Math.round((deadline - Date.now()) / 1000);
  let lastCause = 'no answer';
  for (let attempt = 1; ; attempt++) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    const timeoutMs = Math.min(remaining, options.attemptTimeoutMs);
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      return await untilAborted(options.attempt(timeout), timeout);
    } catch (error) {
      if (!timeout.aborted && !options.retryable(error)) throw error;
      lastCause = timeout.aborted ? `no answer within ${(timeoutMs / 1000).toFixed(1)} s` : rootCause(error);
      for (const secret of options.secrets ?? []) lastCause = lastCause.split(secret).join('[REDACTED]');
      if (Date.now() >= deadline) break;
      logger.warn({ target, attempt, cause: lastCause }, `${dependency} is not answering yet; retrying`);
      await sleep(Math.min(500 * 2 ** (attempt - 1), 5_000, Math.max(0, deadline - Date.now())));
    }
  }
  throw new StartupError(dependency, target, `did not answer within ${totalSeconds} s: ${lastCause}`);
}

/**
 * `promise`, or a StartupError saying `dependency` did not answer `step` within `timeoutMs` (the calls start-up
 * makes to Telegram after getMe: setMyCommands, setWebhook, deleteWebhook).
 */
export async function answerWithin<T>(
  promise: Promise<T>,
  timeoutMs: number,
  where: { dependency: Dependency; target: string; step: string },
): Promise<T> {
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    return await untilAborted(promise, timeout);
  } catch (error) {
    if (!timeout.aborted) throw error;
    const seconds = Math.round(timeoutMs / 1000);
    throw new StartupError(where.dependency, where.target, `did not answer ${where.step} within ${seconds} s`);
  }
}

/** Rejects as soon as `signal` aborts, even if `promise` ignores it. */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** What has been started so far, undone in reverse order when a later step fails. */
export function createStartedStack(logger: Logger) {
  const undo: Array<{ what: string; stop: () => Promise<unknown> | unknown }> = [];
  return {
    push(what: string, stop: () => Promise<unknown> | unknown) {
      undo.push({ what, stop });
    },
    async unwind() {
      for (const step of undo.reverse()) {
        try {
          await step.stop();
        } catch (error) {
          logger.warn({ err: error }, `start-up failed; could not stop ${step.what}`);
        }
      }
      undo.length = 0;
    },
  };
}
