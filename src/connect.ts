import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Api, GrammyError } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import type { Logger } from 'pino';
import { type DatabaseHandle, type DatabaseOptions, openDatabase } from './db/client.js';
import { retryUntilDeadline } from './startup.js';

// The two remote services start-up waits on, each reached with visible retries until the start-up deadline.

interface Deadline {
  deadline: number;
  logger: Logger;
}

/** getMe: proves Telegram is reachable and the token valid. A refusal from Telegram itself (401) is final. */
export async function connectTelegram(options: Deadline & { token: string; apiRoot: string }): Promise<UserFromGetMe> {
  options.logger.info({ apiRoot: options.apiRoot }, 'connecting to Telegram');
  // Its own connection, not kept alive: grammY pools sockets per API root, and this probe runs while PGlite's
  // initdb may block the event loop for seconds; a pooled socket the server closed meanwhile would be handed to
  // the next call (setMyCommands got ECONNRESET).
  const agent = options.apiRoot.startsWith('https:') ? new HttpsAgent() : new HttpAgent();
  const api = new Api(options.token, { apiRoot: options.apiRoot, baseFetchConfig: { agent } });
  return retryUntilDeadline({
    ...options,
    dependency: 'Telegram',
    target: options.apiRoot,
    secrets: [options.token],
    attemptTimeoutMs: 10_000,
    // 429 and 5xx are Telegram having trouble; any other answer (401 Unauthorized, 404) will not change.
    retryable: (error) => !(error instanceof GrammyError) || error.error_code === 429 || error.error_code >= 500,
    // grammY types the signal with its abort-controller shim; a native AbortSignal works with its fetch.
    attempt: (signal) => api.getMe(signal as Parameters<Api['getMe']>[0]),
  });
}

/** Postgres is retried until the deadline; embedded PGlite is local work, opened once without one. */
export async function connectDatabase(options: Deadline & DatabaseOptions): Promise<DatabaseHandle> {
  const { logger, deadline, ...database } = options;
  if (!database.url) {
    logger.info({ dataDir: database.dataDir }, 'opening the embedded database (PGlite)');
    return openDatabase(database);
  }
  const target = describeDatabaseUrl(database.url);
  logger.info({ database: target }, 'connecting to the database');
  return retryUntilDeadline({
    logger,
    deadline,
    dependency: 'the database',
    target,
    attemptTimeoutMs: 10_000,
    retryable: isConnectionProblem,
    attempt: (attemptSignal) => openDatabase({ ...database, signal: attemptSignal }),
  });
}

/** host:port/database, without user or password. */
export function describeDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return 'postgres';
  }
}

/**
 * Network trouble, or a server still starting (57P03), is worth a retry; an answer from the server (wrong
 * password, no such database, a failing migration) is not. Server answers carry a `severity`.
 */
function isConnectionProblem(error: unknown): boolean {
  for (let current = error as any, depth = 0; current && depth < 5; current = current.cause, depth++) {
    if (current.code === '57P03') return true;
    if (typeof current.severity === 'string') return false;
  }
  return true;
}
