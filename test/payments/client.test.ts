import { afterEach, describe, expect, it } from 'vitest';
import { createSmartyPayClient, SmartyPayError } from '../../src/payments/client.js';
import { type FakeSmartyPay, startFakeSmartyPay } from '../support/fake-smartypay.js';

// The client against the fake SMARTy Pay, which checks x-api-key / x-api-ts / x-api-sig exactly.

let fake: FakeSmartyPay | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function clientFor(
  options: { bareGetResponse?: boolean; secretKey?: string; maxInFlight?: number; timeoutMs?: number } = {},
) {
  fake = await startFakeSmartyPay({ bareGetResponse: options.bareGetResponse });
  return createSmartyPayClient({
    apiKey: fake.apiKey,
    secretKey: options.secretKey ?? fake.secretKey,
    host: fake.url,
    timeoutMs: options.timeoutMs ?? 2_000,
    maxInFlight: options.maxInFlight,
  });
}

const newInvoice = () => ({
  amount: '1',
  token: 'bUSDT',
  expiresAt: new Date(Date.now() + 3_600_000),
  metadata: { chatId: 1, messageId: 2 },
});

describe('SMARTy Pay client', () => {
  it('creates an invoice with pure-ASCII metadata even when values are not ASCII', async () => {
    const client = await clientFor();
    const invoice = await client.createInvoice({
      amount: '1.5',
      token: 'bUSDT',
      expiresAt: new Date(Date.now() + 3_600_000),
      metadata: { chatId: -100, messageId: 7, note: 'Кофе ☕' },
    });
    expect(invoice.status).toBe('Created');
    expect(invoice.amount).toEqual({ value: '1.5', token: 'bUSDT' });
    const sent = fake?.requests.find((r) => r.method === 'POST');
    expect(sent?.status).toBe(200);
    expect(/^[\x20-\x7e]*$/.test(sent?.rawBody ?? '')).toBe(true);
    expect(JSON.parse(fake?.invoices.get(invoice.id)?.metadata ?? '{}')).toEqual({
      chatId: -100,
      messageId: 7,
      note: 'Кофе ☕',
    });
  });

  it.each([
    ['wrapped as {invoice}', false],
    ['bare', true],
  ])('re-checks an invoice with a signed GET, answer %s', async (_shape, bare) => {
    const client = await clientFor({ bareGetResponse: bare });
    const created = await client.createInvoice({
      amount: '2',
      token: 'pUSDT',
      expiresAt: new Date(Date.now() + 3_600_000),
      metadata: { chatId: 1, messageId: 2 },
    });
    fake?.setStatus(created.id, 'Paid', '2');
    const checked = await client.getInvoice(created.id);
    expect(checked).toMatchObject({ id: created.id, status: 'Paid', paidAmount: { value: '2', token: 'pUSDT' } });
    expect(fake?.requests.at(-1)).toMatchObject({ method: 'GET', status: 200 });
  });

  it('reports a status SMARTy Pay does not define as unrecognised, keeping the name for the log', async () => {
    const client = await clientFor();
    const created = await client.createInvoice({
      amount: '2',
      token: 'pUSDT',
      expiresAt: new Date(Date.now() + 3_600_000),
      metadata: { chatId: 1, messageId: 2 },
    });
    for (const status of ['local:Cancelled', 'Cancelled', 'Confirmed']) {
      fake?.setStatus(created.id, status);
      expect(await client.getInvoice(created.id)).toMatchObject({ status: 'unrecognised', reportedStatus: status });
    }
    fake?.setStatus(created.id, 'Confirming');
    expect(await client.getInvoice(created.id)).toMatchObject({ status: 'Confirming', reportedStatus: 'Confirming' });
  });

  it('refuses an answer with a control character in it as a bad response', async () => {
    const client = await clientFor();
    const created = await client.createInvoice({
      amount: '2',
      token: 'pUSDT',
      expiresAt: new Date(Date.now() + 3_600_000),
      metadata: { chatId: 1, messageId: 2 },
    });
    fake?.setStatus(created.id, 'Pa\u0000id');
    await expect(client.getInvoice(created.id)).rejects.toMatchObject({ kind: 'bad_response' });
  });

  it('reports a wrong secret, an unknown invoice and a slow answer as SmartyPayError', async () => {
    const wrong = await clientFor({ secretKey: 'not-the-secret' });
    await expect(wrong.getInvoice('x')).rejects.toMatchObject({ kind: 'http', status: 401 });
    await fake?.close();

    const client = await clientFor();
    await expect(client.getInvoice('missing')).rejects.toMatchObject({ kind: 'http', status: 404 });
    fake?.setLatency(3_000);
    const slow = client.getInvoice('missing');
    await expect(slow).rejects.toBeInstanceOf(SmartyPayError);
    await expect(slow).rejects.toMatchObject({ kind: 'timeout' });
  });

  it('keeps at most SMARTYPAY_MAX_IN_FLIGHT requests open at once, creates and signed GETs together', async () => {
    const client = await clientFor({ maxInFlight: 3 });
    const existing = await client.createInvoice(newInvoice());
    fake?.setLatency(150);
    fake?.resetMaxInFlight();
    const calls = Array.from({ length: 12 }, (_, i) =>
      i % 2 === 0 ? client.createInvoice(newInvoice()) : client.getInvoice(existing.id),
    );
    const results = await Promise.allSettled(calls);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(12);
    expect(fake?.maxInFlight()).toBe(3);
    expect(fake?.createdInvoices()).toHaveLength(7);
  });

  it('a request that finds no free slot within SMARTYPAY_TIMEOUT_MS fails as a timeout', async () => {
    const client = await clientFor({ maxInFlight: 1, timeoutMs: 300 });
    fake?.setLatency(1_000);
    const first = client.getInvoice('held').catch((error: unknown) => error);
    const started = Date.now();
    await expect(client.createInvoice(newInvoice())).rejects.toMatchObject({ kind: 'timeout' });
    expect(Date.now() - started).toBeLessThan(1_000);
    await first;
  });
});
