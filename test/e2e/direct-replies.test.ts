import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DIRECT_REPLY_RETRY } from '../../src/bot/bot.js';
import { botCalls, settle, waitUntil } from '../support/flows.js';
import { type Harness, startHarness } from '../support/harness.js';

// The bot's direct replies (help, usage, refusals) go through @grammyjs/auto-retry: a 429 is waited out and the
// reply sent once; the retry is bounded (attempts, retry_after) and never repeats a call that may have been done.

let h: Harness;
let nextChatId = 991_000;
const privateChat = () => ({ id: ++nextChatId, type: 'private' as const });
const user = (chat: { id: number }) => ({ id: chat.id, first_name: 'U', language_code: 'en' });
const tooMany = (seconds: number) => ({
  status: 429,
  description: `Too Many Requests: retry after ${seconds}`,
  parameters: { retry_after: seconds },
});
const handlerFailures = () => h.logs.find('update handler failed').length;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});
afterEach(() => {
  h.telegram.clearFaults();
});

describe('a direct reply and Telegram flood control', () => {
  it('/help answered 429 retry_after 1 is sent again after a second, and arrives once', async () => {
    const chat = privateChat();
    h.telegram.failNext('sendMessage', tooMany(1));
    h.telegram.sendText({ chat, from: user(chat), text: '/help' });
    await h.telegram.waitFor(() => h.telegram.messages(chat.id).length === 1, 5_000);
    await settle();
    const [refused, sent, ...more] = botCalls(h, chat.id);
    expect([refused?.status, sent?.status, more.length]).toEqual([429, 200, 0]);
    expect((sent?.at ?? 0) - (refused?.answeredAt ?? 0)).toBeGreaterThanOrEqual(950);
    expect(h.telegram.messages(chat.id)).toHaveLength(1);
    expect(h.telegram.messages(chat.id)[0]?.text).toContain('/pay');
    expect(sent?.params.parse_mode).toBe('HTML'); // set by the bot's API transformer, not per call
  });

  it(`gives up after ${DIRECT_REPLY_RETRY.maxRetryAttempts} retries`, async () => {
    const chat = privateChat();
    const failures = handlerFailures();
    h.telegram.failNext('sendMessage', tooMany(1), DIRECT_REPLY_RETRY.maxRetryAttempts + 2);
    h.telegram.sendText({ chat, from: user(chat), text: '/help' });
    await waitUntil(() => handlerFailures() > failures, 10_000, 'the handler to give up');
    expect(botCalls(h, chat.id).map((call) => call.status)).toEqual(Array(4).fill(429));
    expect(h.telegram.messages(chat.id)).toHaveLength(0);
  });

  it(`does not wait a retry_after over ${DIRECT_REPLY_RETRY.maxDelaySeconds} s, nor repeat a 5xx`, async () => {
    for (const fault of [
      tooMany(DIRECT_REPLY_RETRY.maxDelaySeconds + 1),
      { status: 502, description: 'Bad Gateway' },
    ]) {
      const chat = privateChat();
      const failures = handlerFailures();
      h.telegram.failNext('sendMessage', fault);
      h.telegram.sendText({ chat, from: user(chat), text: '/help' });
      await waitUntil(() => handlerFailures() > failures, 5_000, 'the handler to fail');
      await settle();
      expect(botCalls(h, chat.id).map((call) => call.status)).toEqual([fault.status]);
    }
  });
});
