import { Api, InputFile } from 'grammy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandboxChats } from '../../sandbox/chat.js';
import { type FakeTelegram, startFakeTelegram } from '../support/fake-telegram.js';

// The sandbox's chats against the fake Bot API alone, playing the bot over HTTP: what a person types
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

describe('sandbox chats', () => {
  it('merges people and bot messages in order and presses callback buttons as the chosen person', async () => {
    const chat = createSandboxChats({ telegram, groupId: CHAT_ID, answerTimeoutMs: 2_000 });
    const { message_id: payId } = chat.post('group', 'merchant', '/pay 5 bUSDT coffee');
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

    const pressed = chat.press('group', 'customer', card.message_id, 'check:1');
    const updates = await botCall('getUpdates', { offset: first.update_id + 1 });
    const query = updates[0]?.callback_query;
    expect(query).toMatchObject({ from: { id: 5151, is_bot: false }, data: 'check:1' });
    expect(query.message).toMatchObject({ message_id: card.message_id, chat: { id: CHAT_ID }, reply_markup: keyboard });
    await botCall('answerCallbackQuery', { callback_query_id: query.id, text: 'Still waiting for the payment' });
    expect(await pressed).toEqual({ answer: 'Still waiting for the payment' });

    expect(chat.messages('group')).toMatchObject([
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
    const chat = createSandboxChats({ telegram, groupId: CHAT_ID - 1 });
    await expect(chat.press('group', 'merchant', 1, 'x')).rejects.toThrow(RangeError);
  });

  it("shows each person's private chat with the bot, documents included, and lets only that person type there", async () => {
    const users = {
      merchant: { id: 700_001, first_name: 'Merchant', language_code: 'en' },
      customer: { id: 700_002, first_name: 'Customer', language_code: 'en' },
      shopper: { id: 700_003, first_name: 'Second customer', language_code: 'en' },
    };
    const chat = createSandboxChats({ telegram, groupId: CHAT_ID - 2, users });
    expect(chat.chats.merchant).toMatchObject({ id: 700_001, type: 'private', members: ['merchant'] });
    expect(() => chat.post('merchant', 'customer', 'hi')).toThrow(RangeError);
    await expect(chat.press('customer', 'merchant', 1, 'x')).rejects.toThrow(RangeError);

    const { message_id: startId } = chat.post('merchant', 'merchant', '/start');
    const updates: any[] = await botCall('getUpdates', {});
    const start = updates.find((u) => u.message?.message_id === startId && u.message.chat.id === 700_001);
    expect(start.message).toMatchObject({ chat: { type: 'private' }, from: { id: 700_001 }, text: '/start' });

    // The bot's file arrives in the merchant's private chat only, as a message with its caption.
    const api = new Api(telegram.token, { apiRoot: telegram.apiRoot });
    const sent = await api.sendDocument(700_001, new InputFile(Buffer.from('id,amount\n1,5\n'), 'invoices.csv'), {
      caption: 'Invoices of <b>Coffee Corner</b>',
      parse_mode: 'HTML',
    });
    expect(chat.messages('merchant')).toMatchObject([
      { message_id: startId, from: { user: 'merchant' }, text: '/start' },
      {
        message_id: sent.message_id,
        from: { bot: true },
        text: 'Invoices of <b>Coffee Corner</b>',
        html: true,
        document: { fileName: 'invoices.csv', bytes: 14 },
      },
    ]);
    expect(chat.document('merchant', sent.message_id)?.content.toString()).toBe('id,amount\n1,5\n');
    expect(chat.document('customer', sent.message_id)).toBeUndefined();
    expect(chat.messages('customer')).toEqual([]);
    expect(chat.messages('group')).toEqual([]);
  });
});
