import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Currency, SmartyPayAPI } from 'smartypay-node-sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signApiRequest } from '../../src/payments/signature.js';
import { type FakeSmartyPay, startFakeSmartyPay } from './fake-smartypay.js';

let fake: FakeSmartyPay;

beforeEach(async () => {
  fake = await startFakeSmartyPay();
});

afterEach(async () => {
  await fake.close();
});

function sdk(overrides: { publicKey?: string; secretKey?: string; timeout?: number } = {}): SmartyPayAPI {
  return new SmartyPayAPI({
    publicKey: overrides.publicKey ?? fake.apiKey,
    secretKey: overrides.secretKey ?? fake.secretKey,
    host: fake.url,
    ...(overrides.timeout !== undefined ? { timeout: overrides.timeout } : {}),
  });
}

const inOneHour = () => new Date(Date.now() + 3_600_000);

async function signedFetch(
  method: 'GET' | 'POST',
  path: string,
  body = '',
  opts: { secret?: string; ts?: string; key?: string } = {},
): Promise<{ status: number; json: unknown }> {
  const ts = opts.ts ?? Math.floor(Date.now() / 1000).toString();
  const response = await fetch(fake.url + path, {
    method,
    headers: {
      accept: 'application/json',
      'content-type': 'application/json',
      'x-api-key': opts.key ?? fake.apiKey,
      'x-api-ts': ts,
      'x-api-sig': signApiRequest(opts.secret ?? fake.secretKey, method, path, body, ts),
    },
    ...(method === 'POST' ? { body } : {}),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

function sdkError(promise: Promise<unknown>): Promise<Error & { response?: unknown }> {
  return promise.then(
    () => {
      throw new Error('expected the SDK call to fail');
    },
    (error: unknown) => error as Error & { response?: unknown },
  );
}

describe('fake SMARTy Pay API through the real SDK', () => {
  it('creates an invoice with a correctly signed request', async () => {
    const expiresAt = inOneHour();
    const invoice = await sdk().invoices.createInvoice({
      amount: '1.5',
      token: 'bUSDT',
      expiresAt,
      metadata: '{"chatId":42,"messageId":7}',
    });

    expect(invoice).toMatchObject({
      companyId: 1,
      amount: '1.5 bUSDT',
      status: 'Created',
      expiresAt: expiresAt.toISOString(),
      paidAt: null,
      sequenceNumber: 1,
      createdAtBlock: 0,
      auxAmounts: [],
      metadata: '{"chatId":42,"messageId":7}',
    });
    expect(invoice.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect((invoice as unknown as { paymentAddress: string }).paymentAddress).toMatch(/^0x[0-9a-f]{40}$/);

    const [stored] = fake.createdInvoices();
    expect(stored).toMatchObject({ id: invoice.id, amount: '1.5', token: 'bUSDT', status: 'Created', paidAt: null });
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toMatchObject({ method: 'POST', path: '/integration/invoices', status: 200 });
    expect(fake.requests[0]?.headers['x-api-key']).toBe(fake.apiKey);
  });

  it('rejects a wrong secret with 401', async () => {
    const error = await sdkError(
      sdk({ secretKey: 'not-the-secret' }).invoices.createInvoice({
        amount: '1',
        token: 'bUSDT',
        expiresAt: inOneHour(),
      }),
    );
    expect(error.message).toBe('HTTP status code 401');
    expect(error.response).toEqual({ message: expect.any(String) });
    expect(fake.invoices.size).toBe(0);
    expect(fake.requests.map((r) => r.status)).toEqual([401]);
  });

  it('rejects an unknown API key with 401', async () => {
    const error = await sdkError(
      sdk({ publicKey: 'pk_other' }).invoices.createInvoice({ amount: '1', token: 'bUSDT', expiresAt: inOneHour() }),
    );
    expect(error.message).toBe('HTTP status code 401');
  });

  it('rejects a timestamp more than 300 s from its clock', async () => {
    fake.now = () => new Date(Date.now() + 301_000);
    const error = await sdkError(sdk().invoices.createInvoice({ amount: '1', token: 'bUSDT', expiresAt: inOneHour() }));
    expect(error.message).toBe('HTTP status code 401');

    fake.now = () => new Date(Date.now() + 200_000);
    await expect(
      sdk().invoices.createInvoice({ amount: '1', token: 'bUSDT', expiresAt: inOneHour() }),
    ).resolves.toMatchObject({
      status: 'Created',
    });
  });

  it('non-ASCII metadata through SDK 1.0.10 fails promptly: Content-Length is the string length, the body is truncated', async () => {
    const started = Date.now();
    const error = await sdkError(
      sdk().invoices.createInvoice({ amount: '2', token: 'bUSDT', expiresAt: inOneHour(), metadata: 'кофе ☕' }),
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error.message).toBe('HTTP status code 401');
    expect(error.response).toEqual({ message: 'Invalid signature' });
    expect(fake.invoices.size).toBe(0);

    const [record] = fake.requests;
    expect(record?.status).toBe(401);
    // The fake read exactly Content-Length bytes: fewer than the UTF-8 body the SDK signed.
    const declared = Number(record?.headers['content-length']);
    expect(Buffer.byteLength(record?.rawBody ?? '')).toBeLessThanOrEqual(declared);
    expect(record?.rawBody).not.toContain('☕');
    expect(record?.rawBody.endsWith('}')).toBe(false);

    // The same text escaped to pure-ASCII JSON goes through and round-trips.
    const ascii = JSON.stringify({ note: 'кофе ☕' }).replace(
      /[\u007f-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
    const invoice = await sdk().invoices.createInvoice({
      amount: '2',
      token: 'bUSDT',
      expiresAt: inOneHour(),
      metadata: ascii,
    });
    expect(JSON.parse((invoice as unknown as { metadata: string }).metadata)).toEqual({ note: 'кофе ☕' });
  });

  it('answers 400 for an unknown token and for invalid JSON', async () => {
    const error = await sdkError(
      sdk().invoices.createInvoice({ amount: '1', token: 'XYZ' as Currency, expiresAt: inOneHour() }),
    );
    expect(error.message).toBe('HTTP status code 400');

    const invalid = await signedFetch('POST', '/integration/invoices', '{"amount": "1 bUSDT",');
    expect(invalid.status).toBe(400);

    const badAmount = await signedFetch(
      'POST',
      '/integration/invoices',
      JSON.stringify({ amount: 'lots bUSDT', expiresAt: inOneHour().toISOString() }),
    );
    expect(badAmount.status).toBe(400);
    expect(fake.invoices.size).toBe(0);
  });
});

describe('signed GET /integration/invoices/<id>', () => {
  it('returns { invoice } for a correctly signed request, 404 for an unknown id, 401 for a bad signature', async () => {
    const created = await sdk().invoices.createInvoice({ amount: '3.25', token: 'pmUSDT', expiresAt: inOneHour() });
    const path = `/integration/invoices/${created.id}`;

    const ok = await signedFetch('GET', path);
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual({ invoice: created });

    const withQuery = await signedFetch('GET', `${path}?x=1`);
    expect(withQuery.status).toBe(200);

    expect((await signedFetch('GET', '/integration/invoices/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await signedFetch('GET', path, '', { secret: 'wrong' })).status).toBe(401);
    expect((await signedFetch('GET', path, '', { ts: '1000' })).status).toBe(401);

    // Signed for one path, sent to another: rejected.
    const ts = Math.floor(Date.now() / 1000).toString();
    const mismatched = await fetch(`${fake.url}${path}?x=2`, {
      headers: {
        'x-api-key': fake.apiKey,
        'x-api-ts': ts,
        'x-api-sig': signApiRequest(fake.secretKey, 'GET', path, '', ts),
      },
    });
    expect(mismatched.status).toBe(401);
    await mismatched.text();
  });

  it('reflects setStatus and can answer the bare InvoiceData', async () => {
    await fake.close();
    fake = await startFakeSmartyPay({ bareGetResponse: true, apiKey: 'pk', secretKey: 'sk' });
    expect(fake.apiKey).toBe('pk');
    const created = await sdk().invoices.createInvoice({ amount: '10', token: 'bUSDT', expiresAt: inOneHour() });

    fake.setStatus(created.id, 'UnderPaid', '9.5');
    const { status, json } = await signedFetch('GET', `/integration/invoices/${created.id}`);
    expect(status).toBe(200);
    expect(json).toMatchObject({ id: created.id, status: 'UnderPaid', amount: '10 bUSDT', paidAmount: '9.5 bUSDT' });
    expect((json as { paidAt: string | null }).paidAt).toEqual(expect.any(String));
  });

  it('answers GET for an invoice added without a create (one seeded straight into the database)', async () => {
    const createdAt = new Date(Date.UTC(2026, 10, 1, 12));
    fake.addInvoice({
      id: 'seed-7',
      amount: '2.5',
      token: 'pUSDC',
      status: 'Created',
      createdAt,
      expiresAt: new Date(createdAt.getTime() + 3_600_000),
      paidAt: null,
      paidAmount: null,
      metadata: undefined,
    });
    const { status, json } = await signedFetch('GET', '/integration/invoices/seed-7');
    expect(status).toBe(200);
    expect(json).toMatchObject({
      invoice: { id: 'seed-7', status: 'Created', amount: '2.5 pUSDC', createdAt: createdAt.toISOString() },
    });
    expect(fake.createdInvoices().map((invoice) => invoice.id)).toContain('seed-7');
  });
});

describe('fault injection', () => {
  it('failNext answers the next matching requests with the given status, then recovers', async () => {
    const api = sdk();
    const create = () => api.invoices.createInvoice({ amount: '1', token: 'bUSDT', expiresAt: inOneHour() });

    fake.failNext('GET', 500);
    fake.failNext('POST', 503, 2);
    expect((await sdkError(create())).message).toBe('HTTP status code 503');
    expect((await sdkError(create())).message).toBe('HTTP status code 503');
    const created = await create();

    const get = await signedFetch('GET', `/integration/invoices/${created.id}`);
    expect(get.status).toBe(500);
    expect(get.json).toEqual({ message: expect.any(String) });
    expect((await signedFetch('GET', `/integration/invoices/${created.id}`)).status).toBe(200);

    fake.failNext('*', 502);
    expect((await sdkError(create())).message).toBe('HTTP status code 502');
    expect(fake.requests.map((r) => `${r.method} ${r.status}`)).toEqual([
      'POST 503',
      'POST 503',
      'POST 200',
      'GET 500',
      'GET 200',
      'POST 502',
    ]);
    expect(fake.createdInvoices()).toHaveLength(1);
  });

  it('setLatency delays answers (SDK timeout)', async () => {
    fake.setLatency(400);
    const error = await sdkError(
      sdk({ timeout: 100 }).invoices.createInvoice({ amount: '1', token: 'bUSDT', expiresAt: inOneHour() }),
    );
    expect(error.message).toBe('Request time out');

    const started = Date.now();
    await sdk().invoices.createInvoice({ amount: '1', token: 'bUSDT', expiresAt: inOneHour() });
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    // The record says when the answer left, after the latency (what the bench times invoice creation by).
    const answered = fake.requests.at(-1);
    expect((answered?.answeredAt ?? 0) - (answered?.at ?? 0)).toBeGreaterThanOrEqual(395);

    fake.setLatency(0);
    const quick = Date.now();
    await sdk().invoices.createInvoice({ amount: '1', token: 'bUSDT', expiresAt: inOneHour() });
    expect(Date.now() - quick).toBeLessThan(350);
  });

  it('counts the requests in flight and the most at once', async () => {
    fake.setLatency(200);
    const pending = Array.from({ length: 4 }, () =>
      sdk().invoices.createInvoice({ amount: '1', token: 'bUSDT', expiresAt: inOneHour() }),
    );
    await new Promise((r) => setTimeout(r, 100));
    expect(fake.inFlight()).toBe(4);
    await Promise.all(pending);
    expect(fake.inFlight()).toBe(0);
    expect(fake.maxInFlight()).toBe(4);
    fake.resetMaxInFlight();
    expect(fake.maxInFlight()).toBe(0);
    // A client that gives up is no longer in flight.
    await sdkError(
      sdk({ timeout: 50 }).invoices.createInvoice({ amount: '1', token: 'bUSDT', expiresAt: inOneHour() }),
    );
    await new Promise((r) => setTimeout(r, 50));
    expect(fake.inFlight()).toBe(0);
    expect(fake.maxInFlight()).toBe(1);
  });

  it('a create the client gave up on is still made, as it may be at SMARTy Pay', async () => {
    const before = fake.createdInvoices().length;
    fake.setLatency(400);
    try {
      const error = await sdkError(
        sdk({ timeout: 100 }).invoices.createInvoice({
          amount: '2.5',
          token: 'bUSDT',
          expiresAt: inOneHour(),
          metadata: '{"chatId":-5,"messageId":9}',
        }),
      );
      expect(error.message).toBe('Request time out');
    } finally {
      fake.setLatency(0);
    }
    expect(fake.createdInvoices()).toHaveLength(before + 1);
    const made = fake.createdInvoices()[before];
    expect(made).toMatchObject({ amount: '2.5', token: 'bUSDT', metadata: '{"chatId":-5,"messageId":9}' });
    // Its webhook carries our metadata back, which is how the bot recognises it.
    expect(JSON.parse(fake.webhookBody(made?.id as string, { status: 'Paid' }))).toMatchObject({
      metadata: '{"chatId":-5,"messageId":9}',
      paidAmount: '2.5 bUSDT',
    });
  });

  it('close() ends keep-alive connections promptly, even with a slow answer pending', async () => {
    await sdk().invoices.createInvoice({ amount: '1', token: 'bUSDT', expiresAt: inOneHour() });
    fake.setLatency(10_000);
    const pending = sdk()
      .invoices.createInvoice({ amount: '1', token: 'bUSDT', expiresAt: inOneHour() })
      .catch((e) => e);
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await fake.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await pending).toBeInstanceOf(Error);
    fake = await startFakeSmartyPay(); // for afterEach
  });
});

describe('webhooks', () => {
  interface Received {
    headers: IncomingHttpHeaders;
    raw: Buffer;
  }
  let receiver: Server;
  let receiverUrl: string;
  let received: Received[];
  let answerStatus: number;

  beforeEach(async () => {
    received = [];
    answerStatus = 200;
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, raw: Buffer.concat(chunks) });
        res.writeHead(answerStatus, { 'content-type': 'text/plain' });
        res.end(answerStatus === 200 ? 'ok' : 'nope');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/smartypay`;
  });

  afterEach(async () => {
    receiver.closeAllConnections();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  async function createInvoice(metadata?: string) {
    return sdk().invoices.createInvoice({
      amount: '1.5',
      token: 'bUSDT',
      expiresAt: inOneHour(),
      ...(metadata !== undefined ? { metadata } : {}),
    });
  }

  it('sends a signed InvoiceStatusChanged payload and updates the remote state', async () => {
    const invoice = await createInvoice('{"chatId":1}');
    const result = await fake.sendWebhook(receiverUrl, invoice.id, { status: 'Paid' });
    expect(result).toEqual({ status: 200, body: 'ok' });

    const [hit] = received;
    if (!hit) throw new Error('no webhook received');
    const expectedDigest = createHmac('sha256', fake.secretKey).update(hit.raw).digest('hex');
    expect(hit.headers['x-sp-digest']).toBe(expectedDigest);
    expect(fake.sign(hit.raw)).toBe(expectedDigest);
    expect(SmartyPayAPI.utils.isValidSignature(hit.raw.toString('utf8'), expectedDigest, fake.secretKey)).toBe(true);
    expect(hit.headers['content-type']).toContain('application/json');

    const payload = JSON.parse(hit.raw.toString('utf8'));
    expect(payload).toMatchObject({
      eventId: expect.any(String),
      eventType: 'InvoiceStatusChanged',
      eventTs: expect.any(String),
      invoiceId: invoice.id,
      amount: '1.5 bUSDT',
      status: 'Paid',
      createdAt: invoice.createdAt,
      expiresAt: invoice.expiresAt,
      paidAt: expect.any(String),
      paidAmount: '1.5 bUSDT',
      metadata: '{"chatId":1}',
    });

    // GET now reports the paid state.
    const get = await signedFetch('GET', `/integration/invoices/${invoice.id}`);
    expect(get.json).toMatchObject({ invoice: { status: 'Paid', paidAmount: '1.5 bUSDT' } });
  });

  it('supports old-style payloads, overrides, missing/bad signatures and reports non-2xx answers', async () => {
    const invoice = await createInvoice();

    const oldStyle = JSON.parse(
      fake.webhookBody(invoice.id, { eventId: null, status: 'UnderPaid', paidAmount: '1.2' }),
    );
    expect(oldStyle).not.toHaveProperty('eventId');
    expect(oldStyle).not.toHaveProperty('eventType');
    expect(oldStyle).not.toHaveProperty('eventTs');
    expect(oldStyle).not.toHaveProperty('metadata');
    expect(oldStyle).toMatchObject({ status: 'UnderPaid', paidAmount: '1.2 bUSDT' });
    // webhookBody alone does not change the remote state.
    expect(fake.invoices.get(invoice.id)?.status).toBe('Created');

    const eventTs = new Date('2030-01-02T03:04:05.000Z');
    const fixed = JSON.parse(
      fake.webhookBody(invoice.id, { eventId: 'evt-1', eventTs, extra: { errorCode: 'X', amount: '9 bUSDT' } }),
    );
    expect(fixed).toMatchObject({
      eventId: 'evt-1',
      eventTs: eventTs.toISOString(),
      errorCode: 'X',
      amount: '9 bUSDT',
      status: 'Created',
    });
    expect(fixed).not.toHaveProperty('paidAmount');
    expect(fixed).not.toHaveProperty('paidAt');

    answerStatus = 401;
    expect(await fake.sendWebhook(receiverUrl, invoice.id, { signature: 'deadbeef' })).toEqual({
      status: 401,
      body: 'nope',
    });
    expect(received.at(-1)?.headers['x-sp-digest']).toBe('deadbeef');

    await fake.sendWebhook(receiverUrl, invoice.id, { signature: null });
    expect(received.at(-1)?.headers).not.toHaveProperty('x-sp-digest');

    answerStatus = 200;
    await fake.sendWebhook(receiverUrl, invoice.id, { header: 'x-api-digest', body: '{"raw":"кофе ☕"}' });
    const last = received.at(-1);
    expect(last?.raw.toString('utf8')).toBe('{"raw":"кофе ☕"}');
    expect(last?.headers['x-api-digest']).toBe(fake.sign(Buffer.from('{"raw":"кофе ☕"}', 'utf8')));
    expect(last?.headers).not.toHaveProperty('x-sp-digest');

    // Terminal non-paid status goes through too.
    await fake.sendWebhook(receiverUrl, invoice.id, { status: 'Expired' });
    expect(JSON.parse(received.at(-1)?.raw.toString('utf8') ?? '')).toMatchObject({ status: 'Expired' });
    expect(fake.invoices.get(invoice.id)?.status).toBe('Expired');
  });

  it('rejects only when the webhook target is unreachable', async () => {
    const invoice = await createInvoice();
    await expect(fake.sendWebhook('http://127.0.0.1:1/none', invoice.id)).rejects.toThrow();
  });
});
