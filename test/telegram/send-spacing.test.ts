import { Api } from 'grammy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isNewMessage, spaceNewMessages } from '../../src/telegram/send-spacing.js';
import { type FakeTelegram, startFakeTelegram } from '../support/fake-telegram.js';

// Through the fake Bot API, which answers 429 past 30 sendMessage calls in any second, as Telegram does.

let telegram: FakeTelegram;
beforeAll(async () => {
  telegram = await startFakeTelegram();
  telegram.setRateLimits({ globalPerSecond: 30, methods: ['sendMessage'] });
});
afterAll(async () => {
  await telegram.close();
});

/** The most calls the fake received within any `windowMs`. */
function peak(ats: number[], windowMs = 1000): number {
  const sorted = [...ats].sort((a, b) => a - b);
  let best = 0;
  for (let start = 0, end = 0; end < sorted.length; end++) {
    while ((sorted[end] as number) - (sorted[start] as number) >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

/** `count` messages asked for at `perSecond`, each to its own chat, over connections already open. */
async function stream(api: Api, count: number, perSecond: number, firstChat: number) {
  await api.sendMessage(firstChat - 1, 'warm-up');
  telegram.setRateLimits(null); // a fresh window: the fake forgets what it accepted
  telegram.setRateLimits({ globalPerSecond: 30, methods: ['sendMessage'] });
  const before = telegram.callsOf('sendMessage').length;
  const sends: Array<Promise<boolean>> = [];
  for (let i = 0; i < count; i++) {
    // Settled as they go: a refusal is counted, not left unhandled.
    sends.push(
      api.sendMessage(firstChat + i, `message ${i}`).then(
        () => true,
        () => false,
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 1000 / perSecond));
  }
  const accepted = await Promise.all(sends);
  const calls = telegram.callsOf('sendMessage').slice(before);
  return { rejected: accepted.filter((ok) => !ok).length, calls };
}

describe('spaceNewMessages', () => {
  it('holds messages asked for at 45 a second to at most 25 in any second: none refused, in order', async () => {
    const api = new Api(telegram.token, { apiRoot: telegram.apiRoot });
    api.config.use(spaceNewMessages(25));
    const { rejected, calls } = await stream(api, 60, 45, 9_100_000);
    expect(rejected).toBe(0);
    // Spaced at 25 as they leave; arrival times carry this loop's own delays, so a little over, never the 45 asked.
    expect(peak(calls.map((call) => call.arrivedMs))).toBeLessThanOrEqual(28);
    expect(calls.map((call) => call.params.text)).toEqual(Array.from({ length: 60 }, (_, i) => `message ${i}`));
  });

  it('the control: the same stream without it is refused past 30 a second', async () => {
    const api = new Api(telegram.token, { apiRoot: telegram.apiRoot });
    const { rejected } = await stream(api, 60, 45, 9_200_000);
    expect(rejected).toBeGreaterThan(0);
  });

  it('counts only new messages', () => {
    expect(['sendMessage', 'sendPhoto', 'sendDocument', 'copyMessage'].every(isNewMessage)).toBe(true);
    expect(['editMessageText', 'answerCallbackQuery', 'sendChatAction', 'getMe'].some(isNewMessage)).toBe(false);
  });
});
