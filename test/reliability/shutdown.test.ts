import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { outbox } from '../../src/db/schema.js';
import { botCalls, issueInvoice, MERCHANT, type TestChat, waitUntil } from '../support/flows.js';
import { type Harness, startHarness } from '../support/harness.js';

// SHUTDOWN_TIMEOUT_MS bounds the whole shutdown (src/app/stop.ts), not each of its steps: with work hung in three
// steps at once, stop() ends about one budget after it began, and what still hangs at the deadline is cut off.

const SHUTDOWN_TIMEOUT_MS = 1_500;
/** Scheduling on a busy two-core machine; a budget per step would take ~3 × 1.5 s. */
const MARGIN_MS = 1_000;
const HANG_MS = 600_000;

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** A webhook request whose headers the app has read (it answered 100 Continue) and whose body never arrives. */
async function slowRequest(url: string): Promise<{ socket: Socket; closedAt: () => number | undefined }> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  let closedAt: number | undefined;
  socket.on('close', () => {
    closedAt = performance.now();
  });
  socket.on('error', () => {});
  let received = '';
  socket.on('data', (chunk) => {
    received += chunk.toString();
  });
  socket.write(
    'POST /webhooks/smartypay HTTP/1.1\r\nHost: app\r\nContent-Type: application/json\r\n' +
      'Content-Length: 100\r\nExpect: 100-continue\r\n\r\n',
  );
  await waitUntil(() => received.startsWith('HTTP/1.1 100 Continue'), 5_000, 'the app to read the request headers');
  socket.write('{"invoiceId":');
  return { socket, closedAt: () => closedAt };
}

describe('shutdown with work hung in several steps at once', () => {
  it('ends within SHUTDOWN_TIMEOUT_MS in total: hung Telegram calls aborted, the slow request cut off', async () => {
    h = await startHarness({ env: { SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) } });
    const { telegram, smartypay } = h;
    const group: TestChat = { id: -1_013_013, type: 'group' };
    const privateChat: TestChat = { id: MERCHANT.id, type: 'private' };
    const { remote } = await issueInvoice(h, group);

    // From here Telegram takes every send and edit and never answers.
    telegram.setDelay('sendMessage', HANG_MS);
    telegram.setDelay('editMessageText', HANG_MS);
    // 1. Notifications in flight: the Paid confirmation and the card edit reach Telegram and hang there.
    expect((await smartypay.sendWebhook(h.webhookUrl, remote.id, { status: 'Paid' })).status).toBe(200);
    await telegram.waitFor(
      () =>
        botCalls(h as Harness, group.id).length === 2 &&
        botCalls(h as Harness, group.id, 'editMessageText').length === 1,
    );
    const leased = await h.db.select({ kind: outbox.kind, status: outbox.status }).from(outbox).orderBy(outbox.id);
    // The card itself (an outbox row too) was sent before Telegram started hanging.
    expect(leased.map((row) => `${row.kind}:${row.status}`)).toEqual([
      'new_card:sent',
      'paid_reply:sending',
      'card_paid:sending',
    ]);
    // 2. An update in flight: the handler of /id waits on its reply.
    telegram.sendText({ chat: privateChat, from: MERCHANT, text: '/id' });
    await telegram.waitFor(() => botCalls(h as Harness, privateChat.id).length === 1);
    // 3. An HTTP request in flight whose body never comes.
    const slow = await slowRequest(h.app.url);

    const stoppingAt = performance.now();
    await h.app.stop();
    const stoppedAt = performance.now();
    const tookMs = stoppedAt - stoppingAt;
    console.info(`[measured] shutdown with three steps hung: ${tookMs.toFixed(0)} ms (budget ${SHUTDOWN_TIMEOUT_MS})`);
    expect(tookMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS + MARGIN_MS);
    // It did wait for the work rather than dropping it at once.
    expect(tookMs).toBeGreaterThan(SHUTDOWN_TIMEOUT_MS / 2);

    // The slow request was held while there was time, then its connection was closed by the app.
    await waitUntil(() => slow.closedAt() !== undefined, 1_000, 'the slow request to be cut off');
    expect((slow.closedAt() ?? 0) - stoppingAt).toBeGreaterThan(SHUTDOWN_TIMEOUT_MS / 2);
    // Every call still waiting on Telegram was given up by the app (the fake saw the client go away).
    const hung = [
      ...botCalls(h, group.id),
      ...botCalls(h, group.id, 'editMessageText'),
      ...botCalls(h, privateChat.id),
    ].filter((call) => call.status === undefined);
    expect(hung).toHaveLength(3);
    await waitUntil(() => hung.every((call) => call.aborted === true), 2_000, 'the hung Telegram calls to be aborted');

    const cutOff = h.logs.find(/^shutdown reached SHUTDOWN_TIMEOUT_MS/);
    expect(cutOff).toHaveLength(1);
    expect(cutOff[0]?.cutOff).toEqual(expect.arrayContaining(['updates in flight', 'HTTP requests in flight']));
    expect(h.logs.lines.at(-1)?.msg).toBe('stopped');
    await expect(fetch(`${h.app.url}/healthz`)).rejects.toThrow();
  }, 60_000);
});
