import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { hmacSha256Hex, signApiRequest } from '../../src/payments/signature.js';

// A fake SMARTy Pay HTTP API on loopback. It checks request signatures the way the real
// service does: x-api-sig = hex HMAC-SHA256(secret, ts + METHOD + path(+query) + raw body),
// ts within 300 s of its clock. The body is read by node:http exactly up to Content-Length, so a
// client that under-declares Content-Length (smartypay-node-sdk 1.0.10 with non-ASCII text)
// gets a truncated body and a 401, just like against the real service.

export interface FakeInvoice {
  id: string;
  /** decimal, e.g. '1.5' */
  amount: string;
  token: string;
  status: string;
  createdAt: Date;
  expiresAt: Date;
  paidAt: Date | null;
  /** decimal */
  paidAmount: string | null;
  metadata: string | undefined;
}

export interface ApiRequestRecord {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
  /** what the fake answered */
  status: number;
  /** Date.now() when the request arrived */
  at: number;
  /** Date.now() when the answer was written (after the latency); undefined until then or if the client left */
  answeredAt?: number | undefined;
}

export interface WebhookOptions {
  /** null = omit eventId/eventType/eventTs (old-style payload) */
  eventId?: string | null;
  eventTs?: Date;
  /** decimal; default the invoice amount when status is a paid one */
  paidAmount?: string;
  status?: string;
  extra?: Record<string, unknown>;
  /** default 'x-sp-digest' */
  header?: string;
  /** override; null = no header */
  signature?: string | null;
  /** send this exact raw body instead */
  body?: string;
}

export interface FakeSmartyPay {
  /** http://127.0.0.1:PORT — pass as the SDK/app host */
  url: string;
  apiKey: string;
  secretKey: string;
  invoices: Map<string, FakeInvoice>;
  /** every API request with the answer status */
  requests: ApiRequestRecord[];
  createdInvoices(): FakeInvoice[];
  /** next `times` (default 1) API requests (matching method, or '*' any) answer `status` with a JSON error body */
  failNext(method: 'POST' | 'GET' | '*', status: number, times?: number): void;
  /** API requests wait this long before answering (simulate slowness / timeouts) */
  setLatency(ms: number): void;
  /** API requests received and not yet answered (or abandoned by the client) right now. */
  inFlight(): number;
  /** The most API requests that were in flight at once since the start (or the last reset). */
  maxInFlight(): number;
  resetMaxInFlight(): void;
  /** set the remote state (what GET returns) without sending a webhook */
  setStatus(invoiceId: string, status: string, paidAmount?: string): void;
  /** Knows an invoice as if it had been created here (for invoices seeded straight into the app's database). */
  addInvoice(invoice: FakeInvoice): void;
  /** Build the webhook JSON body for an invoice (uses current/overridden status) */
  webhookBody(invoiceId: string, options?: WebhookOptions): string;
  /** Sets the invoice status (when options.status given), builds+signs the body, POSTs it to targetUrl; resolves with { status, body } of the response (never throws on non-2xx). */
  sendWebhook(
    targetUrl: string,
    invoiceId: string,
    options?: WebhookOptions,
  ): Promise<{ status: number; body: string }>;
  /** a valid signature for any raw body with this fake's secret */
  sign(rawBody: string | Buffer): string;
  /** settable clock used for ts checks (default real time) */
  now: () => Date;
  close(): Promise<void>;
}

export interface StartFakeSmartyPayOptions {
  apiKey?: string;
  secretKey?: string;
  port?: number;
  /** GET /integration/invoices/<id> answers the bare InvoiceData instead of { invoice } */
  bareGetResponse?: boolean;
  now?: () => Date;
}

export const FAKE_TOKENS: readonly string[] = [
  'bUSDT',
  'bBUSD',
  'bBNB',
  'pUSDT',
  'pUSDC',
  'aUSDT',
  'aUSDC',
  'btUSDTv2',
  'btBUSD',
  'btMNXe',
  'pmUSDT',
  'pmUSDC',
  'atUSDT',
  'atUSDC',
];

export const PAID_STATUSES: readonly string[] = ['Paid', 'SimplePaid', 'OverPaid', 'UnderPaid'];

const MAX_TS_SKEW_SECONDS = 300;
const DECIMAL = /^\d+(\.\d+)?$/;
const INVOICES_PATH = '/integration/invoices';

interface StoredInvoice extends FakeInvoice {
  companyId: number;
  paymentAddress: string;
  sequenceNumber: number;
}

interface FailRule {
  method: 'POST' | 'GET' | '*';
  status: number;
  remaining: number;
}

interface Answer {
  status: number;
  body: unknown;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function invoiceData(invoice: StoredInvoice): Record<string, unknown> {
  return {
    id: invoice.id,
    companyId: invoice.companyId,
    paymentAddress: invoice.paymentAddress,
    amount: `${invoice.amount} ${invoice.token}`,
    status: invoice.status,
    createdAt: invoice.createdAt.toISOString(),
    expiresAt: invoice.expiresAt.toISOString(),
    paidAt: invoice.paidAt ? invoice.paidAt.toISOString() : null,
    ...(invoice.paidAmount !== null ? { paidAmount: `${invoice.paidAmount} ${invoice.token}` } : {}),
    sequenceNumber: invoice.sequenceNumber,
    createdAtBlock: 0,
    auxAmounts: [],
    ...(invoice.metadata !== undefined ? { metadata: invoice.metadata } : {}),
  };
}

export async function startFakeSmartyPay(opts: StartFakeSmartyPayOptions = {}): Promise<FakeSmartyPay> {
  const apiKey = opts.apiKey ?? `pk_test_${randomBytes(8).toString('hex')}`;
  const secretKey = opts.secretKey ?? `sk_test_${randomBytes(16).toString('hex')}`;
  const bareGetResponse = opts.bareGetResponse ?? false;

  const invoices = new Map<string, StoredInvoice>();
  const requests: ApiRequestRecord[] = [];
  const failRules: FailRule[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let latencyMs = 0;
  let sequence = 0;
  let open = 0;
  let maxOpen = 0;

  // Sockets whose byte stream stopped being valid HTTP (e.g. the tail of a body beyond its
  // Content-Length): answer the request in flight, then close the connection.
  const inFlight = new Map<Socket, ServerResponse>();
  const brokenSockets = new WeakSet<Socket>();

  function takeFailure(method: string): number | undefined {
    const index = failRules.findIndex((rule) => rule.method === '*' || rule.method === method);
    if (index === -1) return undefined;
    const rule = failRules[index] as FailRule;
    rule.remaining -= 1;
    if (rule.remaining <= 0) failRules.splice(index, 1);
    return rule.status;
  }

  function checkSignature(
    method: string,
    path: string,
    headers: IncomingMessage['headers'],
    rawBody: string,
  ): Answer | undefined {
    const key = headerValue(headers['x-api-key']);
    const ts = headerValue(headers['x-api-ts']);
    const sig = headerValue(headers['x-api-sig']);
    if (!key || key !== apiKey) return { status: 401, body: { message: 'Unknown or missing API key' } };
    if (!ts || !/^\d+$/.test(ts)) return { status: 401, body: { message: 'Missing or invalid x-api-ts' } };
    const nowSeconds = fake.now().getTime() / 1000;
    if (Math.abs(nowSeconds - Number(ts)) > MAX_TS_SKEW_SECONDS) {
      return { status: 401, body: { message: 'Request timestamp is too far from server time' } };
    }
    if (!sig) return { status: 401, body: { message: 'Missing x-api-sig' } };
    const expected = signApiRequest(secretKey, method, path, rawBody, ts);
    if (sig !== expected) return { status: 401, body: { message: 'Invalid signature' } };
    return undefined;
  }

  function createInvoice(rawBody: string): Answer {
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawBody);
    } catch {
      return { status: 400, body: { message: 'Invalid JSON body' } };
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      return { status: 400, body: { message: 'Body must be a JSON object' } };
    }
    const body = parsed as Record<string, unknown>;
    if (typeof body.amount !== 'string') return { status: 400, body: { message: 'amount is required' } };
    const parts = body.amount.trim().split(/\s+/);
    const [amount, token] = parts;
    if (parts.length !== 2 || !amount || !token || !DECIMAL.test(amount) || Number(amount) <= 0) {
      return { status: 400, body: { message: `Invalid amount: ${body.amount}` } };
    }
    if (!FAKE_TOKENS.includes(token)) return { status: 400, body: { message: `Unknown token: ${token}` } };
    if (typeof body.expiresAt !== 'string' || Number.isNaN(new Date(body.expiresAt).getTime())) {
      return { status: 400, body: { message: 'expiresAt must be an ISO date' } };
    }
    if (body.metadata !== undefined && typeof body.metadata !== 'string') {
      return { status: 400, body: { message: 'metadata must be a string' } };
    }
    sequence += 1;
    const invoice: StoredInvoice = {
      id: randomUUID(),
      amount,
      token,
      status: 'Created',
      createdAt: fake.now(),
      expiresAt: new Date(body.expiresAt),
      paidAt: null,
      paidAmount: null,
      metadata: body.metadata,
      companyId: 1,
      paymentAddress: `0x${randomBytes(20).toString('hex')}`,
      sequenceNumber: sequence,
    };
    invoices.set(invoice.id, invoice);
    return { status: 200, body: { invoice: invoiceData(invoice) } };
  }

  function route(method: string, path: string, headers: IncomingMessage['headers'], rawBody: string): Answer {
    const failure = takeFailure(method);
    if (failure !== undefined) {
      return { status: failure, body: { message: `Injected failure (HTTP ${failure})` } };
    }
    const authError = checkSignature(method, path, headers, rawBody);
    if (authError) return authError;

    const pathname = path.split('?')[0] ?? '';
    if (pathname === INVOICES_PATH) {
      if (method === 'POST') return createInvoice(rawBody);
      return { status: 405, body: { message: 'Method not allowed' } };
    }
    if (pathname.startsWith(`${INVOICES_PATH}/`)) {
      const segment = pathname.slice(INVOICES_PATH.length + 1);
      if (method !== 'GET' || segment.includes('/')) return { status: 404, body: { message: 'Not found' } };
      let id: string;
      try {
        id = decodeURIComponent(segment);
      } catch {
        return { status: 404, body: { message: 'Not found' } };
      }
      const invoice = invoices.get(id);
      if (!invoice) return { status: 404, body: { message: `Invoice ${id} not found` } };
      const data = invoiceData(invoice);
      return { status: 200, body: bareGetResponse ? data : { invoice: data } };
    }
    return { status: 404, body: { message: 'Not found' } };
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const socket = req.socket;
    inFlight.set(socket, res);
    open += 1;
    maxOpen = Math.max(maxOpen, open);
    // 'close' follows 'finish' too, and also comes when the client gives up first: counted once.
    res.on('close', () => {
      open -= 1;
      if (inFlight.get(socket) === res) inFlight.delete(socket);
    });
    res.on('finish', () => {
      if (inFlight.get(socket) === res) inFlight.delete(socket);
      if (brokenSockets.has(socket)) socket.end();
    });

    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', () => {
      // client went away; nothing to answer
    });
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const method = (req.method ?? 'GET').toUpperCase();
      const path = req.url ?? '/';
      const record: ApiRequestRecord = {
        method,
        path,
        headers: { ...req.headers },
        rawBody,
        status: 0,
        at: Date.now(),
      };
      requests.push(record);
      const answer = route(method, path, req.headers, rawBody);
      record.status = answer.status;

      const send = () => {
        if (res.writableEnded || res.destroyed) return;
        const payload = JSON.stringify(answer.body);
        res.writeHead(answer.status, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(payload),
          // Bytes followed this request's declared body: the connection cannot be reused.
          ...(brokenSockets.has(socket) ? { connection: 'close' } : {}),
        });
        res.end(payload);
        record.answeredAt = Date.now();
      };
      if (latencyMs > 0) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          send();
        }, latencyMs);
        timers.add(timer);
      } else {
        send();
      }
    });
  }

  const server: Server = createServer(handle);
  // Never let a body shorter than its Content-Length hang a test forever.
  server.requestTimeout = 10_000;
  // As fake-telegram.ts: no ECONNRESET from a kept-alive socket closed by the fake at the instant it was reused.
  server.keepAliveTimeout = 65_000;
  server.on('clientError', (_error, socket: Socket) => {
    if (inFlight.has(socket)) {
      // Trailing bytes after a request's declared body: finish that answer, then close.
      brokenSockets.add(socket);
      return;
    }
    if (socket.writable) {
      const payload = JSON.stringify({ message: 'Bad request' });
      socket.end(
        `HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(payload)}\r\nConnection: close\r\n\r\n${payload}`,
      );
    } else {
      socket.destroy();
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  function requireInvoice(invoiceId: string): StoredInvoice {
    const invoice = invoices.get(invoiceId);
    if (!invoice) throw new Error(`fake SMARTy Pay: unknown invoice ${invoiceId}`);
    return invoice;
  }

  const fake: FakeSmartyPay = {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    secretKey,
    invoices: invoices as Map<string, FakeInvoice>,
    requests,
    now: opts.now ?? (() => new Date()),

    createdInvoices() {
      return [...invoices.values()].sort((a, b) => a.sequenceNumber - b.sequenceNumber);
    },

    failNext(method, status, times = 1) {
      if (times > 0) failRules.push({ method, status, remaining: times });
    },

    setLatency(ms) {
      latencyMs = Math.max(0, ms);
    },

    inFlight: () => open,
    maxInFlight: () => maxOpen,
    resetMaxInFlight() {
      maxOpen = open;
    },

    addInvoice(invoice) {
      sequence += 1;
      invoices.set(invoice.id, {
        ...invoice,
        companyId: 1,
        paymentAddress: `0x${randomBytes(20).toString('hex')}`,
        sequenceNumber: sequence,
      });
    },

    setStatus(invoiceId, status, paidAmount) {
      const invoice = requireInvoice(invoiceId);
      invoice.status = status;
      if (PAID_STATUSES.includes(status)) {
        invoice.paidAt = invoice.paidAt ?? fake.now();
        invoice.paidAmount = paidAmount ?? invoice.paidAmount ?? invoice.amount;
      } else if (paidAmount !== undefined) {
        invoice.paidAmount = paidAmount;
      }
    },

    webhookBody(invoiceId, options = {}) {
      const invoice = requireInvoice(invoiceId);
      const status = options.status ?? invoice.status;
      const paid = PAID_STATUSES.includes(status);
      const paidAmount = options.paidAmount ?? (paid ? (invoice.paidAmount ?? invoice.amount) : invoice.paidAmount);
      const paidAt = invoice.paidAt ?? (paid ? fake.now() : null);

      const payload: Record<string, unknown> = {};
      if (options.eventId !== null) {
        payload.eventId = options.eventId ?? randomUUID();
        payload.eventType = 'InvoiceStatusChanged';
        payload.eventTs = (options.eventTs ?? fake.now()).toISOString();
      }
      payload.invoiceId = invoice.id;
      payload.amount = `${invoice.amount} ${invoice.token}`;
      payload.status = status;
      payload.createdAt = invoice.createdAt.toISOString();
      payload.expiresAt = invoice.expiresAt.toISOString();
      if (paidAt) payload.paidAt = paidAt.toISOString();
      if (paidAmount !== null) payload.paidAmount = `${paidAmount} ${invoice.token}`;
      if (invoice.metadata !== undefined) payload.metadata = invoice.metadata;
      Object.assign(payload, options.extra ?? {});
      return JSON.stringify(payload);
    },

    async sendWebhook(targetUrl, invoiceId, options = {}) {
      if (options.status !== undefined) fake.setStatus(invoiceId, options.status, options.paidAmount);
      const body = options.body ?? fake.webhookBody(invoiceId, options);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      const signature = options.signature === undefined ? fake.sign(body) : options.signature;
      if (signature !== null) headers[options.header ?? 'x-sp-digest'] = signature;
      const response = await fetch(targetUrl, { method: 'POST', headers, body });
      return { status: response.status, body: await response.text() };
    },

    sign(rawBody) {
      return hmacSha256Hex(secretKey, rawBody);
    },

    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };

  return fake;
}
