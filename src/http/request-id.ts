import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';

// Every request's log lines carry its id: the proxy's X-Request-Id when it sends a sane one, else a new one. The child
// logger is made when a line is first logged: most requests log nothing, and a pino child per request was a tenth of
// the webhook route's time under load (bench p1).

const REQUEST_ID = /^[\w.-]{1,100}$/;

export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/** `logger`'s child for this request, made on first use. */
export function requestLogger(logger: Logger, reqId: string): () => Logger {
  let child: Logger | undefined;
  return () => {
    child ??= logger.child({ reqId });
    return child;
  };
}
