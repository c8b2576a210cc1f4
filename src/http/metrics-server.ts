import express, { type Express } from 'express';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics.js';
import { sameSecret } from './same-secret.js';

export interface MetricsServerDeps {
  metrics: Metrics;
  logger: Logger;
  /** When set, a scrape must send `Authorization: Bearer <token>`. */
  token: string | undefined;
}

/**
 * GET /metrics on its own port (METRICS_HOST:METRICS_PORT, loopback by default), never on the public webhook port:
 * the counters tell volumes per token and error rates to whoever can read them.
 */
export function createMetricsApp(deps: MetricsServerDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', async (req, res) => {
    if (deps.token !== undefined) {
      const [scheme, given] = (req.get('authorization') ?? '').split(' ');
      if (scheme?.toLowerCase() !== 'bearer' || !sameSecret(given, deps.token)) {
        deps.logger.warn({ ip: req.ip }, 'rejected metrics scrape: wrong or missing bearer token');
        res.status(401).set('WWW-Authenticate', 'Bearer').type('text/plain').send('unauthorized\n');
        return;
      }
    }
    // A metric whose collection fails (the outbox read) reports NaN itself; this catches the unexpected.
    try {
      const text = await deps.metrics.registry.metrics();
      res.status(200).type(deps.metrics.registry.contentType).send(text);
    } catch (error) {
      deps.logger.error({ err: error }, 'metrics could not be collected');
      res.status(500).type('text/plain').send('metrics unavailable\n');
    }
  });
  app.use((_req, res) => {
    res.status(404).type('text/plain').send('not found\n');
  });
  return app;
}
