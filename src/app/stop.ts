import type { Server } from 'node:http';
import type { RunnerHandle } from '@grammyjs/runner';
import type { Logger } from 'pino';
import type { BuiltApp } from './build.js';

// Shutdown is a list of steps run in order under one deadline (SHUTDOWN_TIMEOUT_MS for all of them together, not
// each). Every step is always started, so nothing is left running by accident; only the waiting is bounded. A step
// still waiting at the deadline is cut off, and each later one is started and cut off at once if it is not done.

export interface ShutdownStep {
  /** What is waited on, for the log ("updates in flight"). */
  what: string;
  /** Starts the step and resolves when it is done; `msLeft` is its share of the deadline (0 once that passed). */
  run(msLeft: number): Promise<unknown> | unknown;
  /** Ends what `run` is still waiting on, now (close sockets, abort calls). Called only when the deadline hit. */
  cutOff?(): void;
  /** Time kept for this step: the steps before it must be done this long before the deadline. */
  reserveMs?: number;
}

/** Runs `steps` in order within `timeoutMs` in total; resolves with what was cut off. */
export async function shutDown(steps: ShutdownStep[], timeoutMs: number, logger: Logger): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  const cut: string[] = [];
  for (const [index, step] of steps.entries()) {
    const reservedAfter = steps.slice(index + 1).reduce((sum, later) => sum + (later.reserveMs ?? 0), 0);
    const stepDeadline = deadline - reservedAfter;
    const msLeft = Math.max(0, stepDeadline - Date.now());
    const done = Promise.resolve()
      .then(() => step.run(msLeft))
      .then(
        () => 'done' as const,
        (error) => {
          logger.warn({ err: error }, `shutdown: ${step.what} failed`);
          return 'done' as const;
        },
      );
    const expiry = expiresIn(msLeft);
    const outcome = await Promise.race([done, expiry.promise]);
    expiry.cancel();
    // A step whose own wait ran out with the deadline is as unfinished as one the deadline overtook.
    if (outcome === 'done' && (msLeft === 0 || Date.now() < stepDeadline)) continue;
    cut.push(step.what);
    step.cutOff?.();
  }
  if (cut.length > 0) {
    logger.warn(
      { cutOff: cut, timeoutMs },
      `shutdown reached SHUTDOWN_TIMEOUT_MS (${timeoutMs} ms); cut off: ${cut.join(', ')}`,
    );
  }
  return cut;
}

/** Resolves after `ms`; for 0, once the promises already settled have had their turn. */
function expiresIn(ms: number): { promise: Promise<'expired'>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<'expired'>((resolve) => {
    if (ms > 0) timer = setTimeout(() => resolve('expired'), ms);
    else setImmediate(() => resolve('expired'));
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

/** What start.ts started, for `stopApp`. */
export interface StartedParts {
  app: BuiltApp;
  server: Server;
  metricsServer: Server;
  /** Polling mode only. */
  runner: RunnerHandle | undefined;
}

/** The database closes last and gets this much of the budget (at most a fifth of it) even when work hangs. */
const DATABASE_CLOSE_RESERVE_MS = 500;

/**
 * Stops the app within SHUTDOWN_TIMEOUT_MS in total: no new updates or requests, finish the updates already taken
 * (Telegram considers them delivered), drain HTTP, stop the workers (sends in flight are recorded), close the database.
 */
export async function stopApp({ app, server, metricsServer, runner }: StartedParts): Promise<void> {
  const { logger, config, workers, telegramWebhook } = app;
  logger.info('shutting down: no new updates, finishing work in flight');
  let httpClosed: Promise<unknown> = Promise.resolve();
  const steps: ShutdownStep[] = [
    {
      what: 'taking updates',
      run: () => {
        httpClosed = Promise.all([closeGracefully(server), closeNow(metricsServer)]);
        // stop() ends fetching; updates already fetched are confirmed to Telegram, so they must finish next.
        return runner?.stop();
      },
    },
    {
      what: 'updates in flight',
      // Webhook mode: Telegram got its 200 for these already; they finish the same way.
      run: (msLeft) => Promise.all([waitUntilIdle(() => runner?.size() ?? 0, msLeft), telegramWebhook?.idle()]),
      cutOff: () => app.abortTelegramCalls(),
    },
    {
      what: 'HTTP requests in flight',
      run: () => httpClosed,
      cutOff: () => {
        server.closeAllConnections();
        metricsServer.closeAllConnections();
      },
    },
    // Stored webhooks not yet applied stay stored: the next process (or another replica) applies them.
    { what: 'applying webhooks', run: (msLeft) => workers.webhookInbox.stop(msLeft) },
    { what: 'the outbox monitor', run: () => workers.outboxMonitor.stop() },
    { what: 'the reconciler', run: () => workers.reconciler.stop() },
    // Ends after its current batch (at most 5,000 rows, one short statement).
    { what: 'data retention', run: () => workers.retention.stop() },
    {
      what: 'notifications in flight',
      run: (msLeft) => workers.outbox.stop(msLeft),
      cutOff: () => app.abortTelegramCalls(),
    },
    {
      what: 'the database',
      run: () => app.database.close(),
      reserveMs: Math.min(DATABASE_CLOSE_RESERVE_MS, config.shutdownTimeoutMs / 5),
    },
  ];
  await shutDown(steps, config.shutdownTimeoutMs, logger);
  logger.info('stopped');
}

/** Stops accepting connections, closes idle keep-alive ones; resolves when the requests in flight are answered. */
function closeGracefully(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  return closed;
}

export function closeNow(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  return closed;
}

async function waitUntilIdle(busy: () => number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (busy() > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}
