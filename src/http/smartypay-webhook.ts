import express, { type NextFunction, type Request, type Response, Router } from 'express';
import type { Logger } from 'pino';
import type { WebhookInbox } from '../invoices/webhook-inbox.js';
import type { Metrics, WebhookRequestOutcome } from '../metrics.js';
import { verifySmartyPaySignature, WEBHOOK_SIGNATURE_HEADERS } from '../payments/signature.js';
import { webhookPayloadSchema } from '../payments/webhook-payload.js';

export const SMARTYPAY_WEBHOOK_PATH = '/webhooks/smartypay';
export const WEBHOOK_BODY_LIMIT_BYTES = 64 * 1024;

export interface SmartyPayWebhookDeps {
  /** Where a signed, well-formed webhook is stored before the 200; it is applied from there. */
  inbox: Pick<WebhookInbox, 'accept'>;
  secretKey: string;
  logger: Logger;
  metrics?: Metrics;
}

/** The header as Node saw it: repeated headers arrive as an array (or comma-joined, which fails the hex check). */
function signatureHeader(req: Request): string | string[] | undefined {
  for (const name of WEBHOOK_SIGNATURE_HEADERS) {
    const values: string[] = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      if (req.rawHeaders[i]?.toLowerCase() === name) values.push(req.rawHeaders[i + 1] ?? '');
    }
    if (values.length === 1) return values[0];
    if (values.length > 1) return values;
  }
  return undefined;
}

/**
 * Times every request on the route and counts it by outcome once answered, however it ended: refused
 * before the body was read, by body-parser's error, or by the handler (which names the outcome in
 * `res.locals.webhookOutcome`).
 */
function measure(metrics: Metrics | undefined) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    if (metrics) {
      const stopTimer = metrics.webhookDuration.startTimer();
      res.on('finish', () => {
        stopTimer();
        metrics.webhookRequests.inc({ outcome: outcomeOf(res) });
      });
    }
    next();
  };
}

function outcomeOf(res: Response): WebhookRequestOutcome {
  const named = res.locals.webhookOutcome as WebhookRequestOutcome | undefined;
  if (named) return named;
  if (res.statusCode === 401) return 'bad_signature';
  if (res.statusCode === 413) return 'too_large';
  if (res.statusCode === 400) return 'malformed';
  return 'error';
}

/**
 * A declared Content-Length over the limit is refused before a byte of the body is read (body-parser
 * would first drain the whole body, letting a client hold the connection as long as it likes), and
 * the connection is closed after the answer.
 */
function rejectOversizedBody(req: Request, res: Response, next: NextFunction): void {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > WEBHOOK_BODY_LIMIT_BYTES) {
    res.set('Connection', 'close');
    res.status(413).json({ error: 'payload too large' });
    res.on('finish', () => req.socket.destroy());
    return;
  }
  next();
}

export function createSmartyPayWebhookRouter(deps: SmartyPayWebhookDeps): Router {
  /** The request's child logger (with its reqId) set by the server, or the app's. */
  const log = (res: Response): Logger => (res.locals.logger as Logger | undefined) ?? deps.logger;
  const router = Router();
  router.post(
    SMARTYPAY_WEBHOOK_PATH,
    measure(deps.metrics),
    rejectOversizedBody,
    // Raw bytes on this route only: the signature covers the body exactly as sent. The limit also
    // catches chunked bodies that grow past it while being read.
    express.raw({ type: () => true, limit: WEBHOOK_BODY_LIMIT_BYTES }),
    async (req: Request, res: Response) => {
      const rawBody: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const check = verifySmartyPaySignature(rawBody, signatureHeader(req), deps.secretKey);
      if (!check.ok) {
        log(res).warn({ reason: check.reason, ip: req.ip }, 'rejected SMARTy Pay webhook');
        res.status(401).json({ error: 'invalid signature' });
        return;
      }
      let json: unknown;
      try {
        json = JSON.parse(rawBody.toString('utf8'));
      } catch {
        res.status(400).json({ error: 'body is not JSON' });
        return;
      }
      const parsed = webhookPayloadSchema.safeParse(json);
      if (!parsed.success) {
        log(res).warn({ issues: parsed.error.issues }, 'malformed SMARTy Pay webhook');
        res.status(400).json({ error: 'malformed payload' });
        return;
      }
      try {
        await deps.inbox.accept(rawBody.toString('utf8'), res.get('x-request-id'));
        res.locals.webhookOutcome = 'accepted';
        res.status(200).json({ ok: true });
      } catch (error) {
        // Not stored: a 5xx makes SMARTy Pay deliver it again.
        log(res).error({ err: error, smartyPayId: parsed.data.invoiceId }, 'webhook could not be stored');
        res.status(503).json({ error: 'temporarily unavailable' });
      }
    },
  );
  return router;
}
