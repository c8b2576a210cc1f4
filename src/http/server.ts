import type { RequestListener } from 'node:http';
import express, { type ErrorRequestHandler, type Router } from 'express';
import type { Logger } from 'pino';
import type { WebhookInbox } from '../invoices/webhook-inbox.js';
import type { Metrics } from '../metrics.js';
import { requestIdOf, requestLogger } from './request-id.js';
import { createSmartyPayWebhookHandler, isSmartyPayWebhook } from './smartypay-webhook.js';

export interface ServerDependencies {
  /** Stores SMARTy Pay's webhooks before the 200 (applied from there). */
  webhookInbox: Pick<WebhookInbox, 'accept'>;
  logger: Logger;
  smartyPaySecretKey: string;
  /** Resolves when the database answers. */
  ping: () => Promise<void>;
  /** Extra routes, e.g. Telegram's webhook in webhook mode. */
  routers?: Router[];
  /** Counts webhook requests; GET /metrics is served on its own port (metrics-server.ts), not here. */
  metrics?: Metrics;
}

/** SMARTy Pay's webhook on node:http itself (./smartypay-webhook.ts), everything else through Express. */
export function createServer(deps: ServerDependencies): RequestListener {
  const webhook = createSmartyPayWebhookHandler({
    inbox: deps.webhookInbox,
    secretKey: deps.smartyPaySecretKey,
    logger: deps.logger,
    metrics: deps.metrics,
  });
  const app = createExpressApp(deps);
  return (req, res) => (isSmartyPayWebhook(req.method, req.url) ? webhook(req, res) : app(req, res));
}

function createExpressApp(deps: ServerDependencies) {
  const app = express();
  app.disable('x-powered-by');
  // Answers here are never cached: no ETag (a hash of every body).
  app.set('etag', false);
  app.set('trust proxy', 'loopback, linklocal, uniquelocal');
  // Every request's log lines carry its id (the proxy's X-Request-Id when it sends one).
  app.use((req, res, next) => {
    const reqId = requestIdOf(req);
    res.set('x-request-id', reqId);
    Object.defineProperty(res.locals, 'logger', { get: requestLogger(deps.logger, reqId) });
    next();
  });

  app.get('/healthz', (_req, res) => {
    res.status(200).json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      await deps.ping();
      res.status(200).json({ status: 'ready' });
    } catch (error) {
      deps.logger.warn({ err: error }, 'readiness check failed: database not answering');
      res.status(503).json({ status: 'database unavailable' });
    }
  });
  for (const router of deps.routers ?? []) app.use(router);

  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });
  // body-parser errors carry their HTTP status (413 too large, 400 bad encoding); never a 500 for them.
  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    const status = typeof error?.status === 'number' && error.status >= 400 && error.status < 500 ? error.status : 500;
    if (status === 500) deps.logger.error({ err: error }, 'unhandled HTTP error');
    res.status(status).json({ error: status === 413 ? 'payload too large' : 'request failed' });
  };
  app.use(onError);
  return app;
}
