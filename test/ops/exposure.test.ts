import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../support/harness.js';

// What a stranger on the network can do to the listeners: /metrics is not on the webhook port and wants a bearer
// token; a client that dribbles its request is cut off within the limit; connections are bounded.

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';
const LIMITS = { headersTimeoutMs: 600, requestTimeoutMs: 1_200, checkIntervalMs: 100, maxConnections: 6 };
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ env: { METRICS_TOKEN }, httpLimits: LIMITS });
});
afterAll(async () => {
  await h?.close();
});

/** One GET on its own connection (closed after), so no pooled socket lingers and counts against the bound. */
function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

interface Stalled {
  socket: Socket;
  /** Resolves when the server closed the connection: ms since connecting and what it answered. */
  closed: Promise<{ ms: number; answer: string }>;
}

/** Connects to the app's port and writes `text`, then nothing more. */
function stall(text: string): Stalled {
  const { port } = new URL(h.app.url);
  const started = performance.now();
  const socket = connect(Number(port), '127.0.0.1', () => socket.write(text));
  let answer = '';
  socket.on('data', (chunk) => {
    answer += chunk.toString();
  });
  const closed = new Promise<{ ms: number; answer: string }>((resolve) => {
    socket.on('error', () => {});
    socket.on('close', () => resolve({ ms: performance.now() - started, answer }));
  });
  return { socket, closed };
}

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} not within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

describe('/metrics exposure', () => {
  it('is not served on the webhook port', async () => {
    expect((await get(`${h.app.url}/metrics`)).status).toBe(404);
  });

  it('is served on its own loopback port', () => {
    const metrics = new URL(h.app.metricsUrl);
    expect(metrics.hostname).toBe('127.0.0.1');
    expect(metrics.port).not.toBe(new URL(h.app.url).port);
    expect(metrics.pathname).toBe('/metrics');
  });

  it('answers 401 without the bearer token or with a wrong one, 200 with it', async () => {
    expect((await get(h.app.metricsUrl)).status).toBe(401);
    expect((await get(h.app.metricsUrl, { authorization: 'Bearer wrong-token-0123456789abcdef' })).status).toBe(401);
    expect((await get(h.app.metricsUrl, { authorization: `Basic ${METRICS_TOKEN}` })).status).toBe(401);
    expect((await get(h.app.metricsUrl, { authorization: `Bearer ${METRICS_TOKEN}x` })).status).toBe(401);
    const scraped = await get(h.app.metricsUrl, { authorization: `Bearer ${METRICS_TOKEN}` });
    expect(scraped.status).toBe(200);
    expect(scraped.body).toContain('webhook_requests_total');
    expect(h.logs.raw.join('\n')).not.toContain(METRICS_TOKEN);
  });
});

describe('slow clients and connection bound', () => {
  it('cuts off a client that sends half the headers and stalls, within the headers timeout', async () => {
    const client = stall('POST /webhooks/smartypay HTTP/1.1\r\nHost: bot\r\nContent-Ty');
    const { ms, answer } = await within(client.closed, 4_000, 'the stalled connection closed');
    expect(ms).toBeGreaterThanOrEqual(LIMITS.headersTimeoutMs - 50);
    expect(ms).toBeLessThan(LIMITS.headersTimeoutMs + 1_000);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });

  it('cuts off a client that sends its headers and part of the body, within the request timeout', async () => {
    const client = stall(
      'POST /webhooks/smartypay HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"invoiceId":',
    );
    const { ms } = await within(client.closed, 5_000, 'the stalled connection closed');
    expect(ms).toBeGreaterThanOrEqual(LIMITS.requestTimeoutMs - 50);
    expect(ms).toBeLessThan(LIMITS.requestTimeoutMs + 1_000);
  });

  it(`accepts at most ${LIMITS.maxConnections} connections at once; one more is closed unanswered`, async () => {
    // Each holds a connection open with a request whose body never finishes (cut at the request timeout).
    const held = Array.from({ length: LIMITS.maxConnections }, () =>
      stall('POST /webhooks/smartypay HTTP/1.1\r\nHost: bot\r\nContent-Length: 10\r\n\r\n{'),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    const extra = stall('GET /healthz HTTP/1.1\r\nHost: bot\r\n\r\n');
    const dropped = await within(extra.closed, 1_000, 'the connection over the bound closed');
    expect(dropped.answer).toBe('');
    for (const client of held) client.socket.destroy();
    await Promise.all(held.map((client) => client.closed));
    // Below the bound again: served.
    expect((await get(`${h.app.url}/healthz`)).status).toBe(200);
  });
});
