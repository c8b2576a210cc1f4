import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandboxChat } from '../../sandbox/chat.js';
import { type FakeTelegram, startFakeTelegram } from '../support/fake-telegram.js';

// The sandbox chat against the fake Bot API alone, playing the bot over HTTP: what a person types
// becomes an update, a pressed callback button a callback_query, and the bot's answer comes back.

let telegram: FakeTelegram;
const CHAT_ID = -1_000_000_000_777;

async function botCall(method: string, params: Record<string, unknown>): Promise<any> {
  const response = await fetch(`${telegram.apiRoot}/bot${telegram.token}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params),
  });
  const body = (await response.json()) as { ok: boolean; result: any };
  expect(body.ok).toBe(true);
  return body.result;
}

beforeAll(async () => {
  telegram = await startFakeTelegram({ maxLongPollMs: 100 });
});
afterAll(async () => {
  await telegram?.close();
});

describe('sandbox chat', () => {
  it('merges people and bot messages in order and presses callback buttons as the chosen person', async () => {
    const chat = createSandboxChat({ telegram, chatId: CHAT_ID, answerTimeoutMs: 2_000 });
    const { message_id: payId } = chat.post('merchant', '/pay 5 bUSDT coffee');
    const [first] = await botCall('getUpdates', {});
    expect(first.message).toMatchObject({ message_id: payId, text: '/pay 5 bUSDT coffee', from: { id: 4242 } });
    expect(first.message.chat).toMatchObject({ id: CHAT_ID, type: 'supergroup' });

    const keyboard = {
      inline_keyboard: [
        [{ text: 'Pay', url: 'http://127.0.0.1/checkout?invoice-id=x' }],
        [{ text: '🔄 Check status', callback_data: 'check:1' }],
      ],
    };
    const card = await botCall('sendMessage', {
      chat_id: CHAT_ID,
      text: '🧾 <b>Invoice</b>',
      parse_mode: 'HTML',
      reply_markup: keyboard,
      reply_parameters: { message_id: payId },
    });

    const pressed = chat.press('customer', card.message_id, 'check:1');
    const updates = await botCall('getUpdates', { offset: first.update_id + 1 });
    const query = updates[0]?.callback_query;
    expect(query).toMatchObject({ from: { id: 5151, is_bot: false }, data: 'check:1' });
    expect(query.message).toMatchObject({ message_id: card.message_id, chat: { id: CHAT_ID }, reply_markup: keyboard });
    await botCall('answerCallbackQuery', { callback_query_id: query.id, text: 'Still waiting for the payment' });
    expect(await pressed).toEqual({ answer: 'Still waiting for the payment' });

    expect(chat.messages()).toMatchObject([
      { message_id: payId, from: { user: 'merchant' }, html: false },
      {
        message_id: card.message_id,
        from: { bot: true },
        html: true,
        reply_to_message_id: payId,
        reply_markup: keyboard,
      },
    ]);
  });

  it('refuses to press a button on a message the bot never sent', async () => {
    const chat = createSandboxChat({ telegram, chatId: CHAT_ID - 1 });
    await expect(chat.press('merchant', 1, 'x')).rejects.toThrow(RangeError);
  });
});
