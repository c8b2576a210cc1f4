import { afterAll, beforeAll, expect, it } from 'vitest';
import { botCalls, issueInvoice } from '../support/flows.js';
import { type Harness, startHarness } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

it('a Confirming webhook tells the chat, replying to /pay', async () => {
  const chat = { id: -1_000_999, type: 'supergroup' as const, title: 'Shop' };
  const { message, remote } = await issueInvoice(h, chat, '/pay@test_bot 5 busdt Tea');
  expect((await h.smartypay.sendWebhook(h.webhookUrl, remote.id, { status: 'Confirming' })).status).toBe(200);
  await h.app.workers.outbox.drain();
  const reply = botCalls(h, chat.id)[1];
  expect(reply?.params.text).toBe('⏳ Payment for <i>“Tea”</i> seen; waiting for the network to confirm it.');
  expect(reply?.params.reply_parameters.message_id).toBe(message.message_id);
});
