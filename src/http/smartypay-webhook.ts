import type { IncomingMessage, RequestListener } from 'node:http';
import type { Logger } from 'pino';
import type { WebhookInbox } from '../invoices/webhook-inbox.js';
import type { Metrics, WebhookRequestOutcome } from '../metrics.js';
import { verifySmartyPaySignature, WEBHOOK_SIGNATURE_HEADERS } from '../payments/signature.js';
import { webhookPayloadSchema } from '../payments/webhook-payload.js';
import { requestIdOf, requestLogger } from './request-id.js';

// SMARTy Pay's webhook route, on node:http itself in front of Express (./server.ts): it is the one route under load
// (every payment, SMARTy Pay's retries, a backlog after an outage), and Express's layers, body-parser and res.json
// were half its CPU (bench p1). What it does is what any correct receiver must: read the raw bytes within a bound,
// check the HMAC in constant time, check the shape, commit the body to the inbox, answer.

export const SMARTYPAY_WEBHOOK_PATH = '/webhooks/smartypay';
export const WEBHOOK_BODY_LIMIT_BYTES = 64 * 1024;

export interface SmartyPayWebhookDeps {
  /** Where a signed, well-formed webhook is stored before the 200; it is applied from there. */
  inbox: Pick<WebhookInbox, 'accept'>;
  secretKey: string;
  logger: Logger;
  metrics?: Metrics | undefined;
}

/** Whether `url` (a request line's target) is this route: the path as Express matched it, any case, `/` or query after. */
export function isSmartyPayWebhook(method: string | undefined, url: string | undefined): boolean {
  if (method !== 'POST' || url === undefined) return false;
  const end = url.indexOf('?');
  const path = (end === -1 ? url : url.slice(0, end)).toLowerCase();
  return path === SMARTYPAY_WEBHOOK_PATH || path === `${SMARTYPAY_WEBHOOK_PATH}/`;
}

/** The header as Node saw it: repeated headers arrive as several values (or comma-joined, which fails the hex check). */
function signatureHeader(req: IncomingMessage): string | string[] | undefined {
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

const ANSWERS = {
  accepted: [200, { ok: true }],
  bad_signature: [401, { error: 'invalid signature' }],
  not_json: [400, { error: 'body is not JSON' }],
  malformed: [400, { error: 'malformed payload' }],
  aborted: [400, { error: 'request aborted' }],
  encoding: [415, { error: 'unsupported content encoding' }],
  too_large: [413, { error: 'payload too large' }],
  unavailable: [503, { error: 'temporarily unavailable' }],
} as const satisfies Record<string, readonly [number, object]>;
type Answer = keyof typeof ANSWERS;
const OUTCOME: Record<Answer, WebhookRequestOutcome> = {
  accepted: 'accepted',
  bad_signature: 'bad_signature',
  not_json: 'malformed',
  malformed: 'malformed',
  aborted: 'malformed',
  encoding: 'malformed',
  too_large: 'too_large',
  unavailable: 'error',
};
const BODIES = Object.fromEntries(
  Object.entries(ANSWERS).map(([name, [, body]]) => [name, Buffer.from(JSON.stringify(body))]),
) as Record<Answer, Buffer>;

export function createSmartyPayWebhookHandler(deps: SmartyPayWebhookDeps): RequestListener {
  const { metrics } = deps;
  return (req, res) => {
    const started = performance.now();
    const reqId = requestIdOf(req);
    const log = requestLogger(deps.logger, reqId);
    let answered = false;
    const answer = (name: Answer, close = false) => {
      if (answered) return;
      answered = true;
      const body = BODIES[name];
      res.writeHead(ANSWERS[name][0], {
        'content-type': 'application/json; charset=utf-8',
        'content-length': body.length,
        'x-request-id': reqId,
        ...(close && { connection: 'close' }),
      });
      res.end(body);
      metrics?.webhookDuration.observe((performance.now() - started) / 1000);
      metrics?.webhookRequests.inc({ outcome: OUTCOME[name] });
    };
    // Past the bound the connection goes once the answer is out: the rest of the body is never read.
    const refuse = (name: Answer) => {
      answer(name, true);
      res.once('finish', () => req.socket.destroy());
    };

    // A declared length over the limit is refused before a byte of the body is read; a client that dribbles a
    // body is cut off by the server's request timeout (./listen.ts).
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > WEBHOOK_BODY_LIMIT_BYTES) return refuse('too_large');
    // The signature covers the bytes as sent; SMARTy Pay sends them as they are.
    const encoding = req.headers['content-encoding'];
    if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return refuse('encoding');

    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > WEBHOOK_BODY_LIMIT_BYTES) {
        // Chunked bodies that grow past the limit while being read.
        req.removeAllListeners('data');
        req.pause();
        refuse('too_large');
        return;
      }
      chunks.push(chunk);
    });
    // The client went before its body was whole: nobody to answer.
    req.on('close', () => {
      if (answered || req.complete) return;
      answered = true;
      metrics?.webhookRequests.inc({ outcome: OUTCOME.aborted });
    });
    req.on('error', () => refuse('aborted'));
    req.on('end', () => {
      if (answered) return;
      const rawBody = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
      const check = verifySmartyPaySignature(rawBody, signatureHeader(req), deps.secretKey);
      if (!check.ok) {
        log().warn(
          { reason: check.reason, ip: req.socket.remoteAddress, forwardedFor: req.headers['x-forwarded-for'] },
          'rejected SMARTy Pay webhook',
        );
        return answer('bad_signature');
      }
      const text = rawBody.toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        return answer('not_json');
      }
      const parsed = webhookPayloadSchema.safeParse(json);
      if (!parsed.success) {
        log().warn({ issues: parsed.error.issues }, 'malformed SMARTy Pay webhook');
        return answer('malformed');
      }
      deps.inbox.accept(text, reqId).then(
        () => answer('accepted'),
        (error: unknown) => {
          // Not stored: a 5xx makes SMARTy Pay deliver it again.
          log().error({ err: error, smartyPayId: parsed.data.invoiceId }, 'webhook could not be stored');
          answer('unavailable');
        },
      );
    });
  };
}
