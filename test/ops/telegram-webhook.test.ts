import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoices } from '../../src/db/schema.js';
import { botCalls, MERCHANT, type TestChat } from '../support/flows.js';
import { type Harness, startHarness } from '../support/harness.js';

// BOT_MODE=webhook: Telegram pushes updates to /telegram/webhook with the secret token; no long polling.

const SECRET = 'webhook-secret-0123456789';
const PUBLIC_URL = 'https://bot.example.com';
let h: Harness;
let nextUpdateId = 9_000_000;

beforeAll(async () => {
  h = await startHarness({ env: { BOT_MODE: 'webhook', PUBLIC_URL, TELEGRAM_WEBHOOK_SECRET: SECRET } });
});
afterAll(async () => {
  await h?.close();
});

function payUpdate(chat: TestChat, text: string, messageId: number) {
  return {
    update_id: ++nextUpdateId,
    message: {
      message_id: messageId,
      date: Math.floor(Date.now() / 1000),
      chat,
      from: { ...MERCHANT, is_bot: false },
      text,
      entities: [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]?.length ?? 0 }],
    },
  };
}

async function push(update: unknown, secret: string | null = SECRET) {
  return fetch(`${h.app.url}/telegram/webhook`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(secret === null ? {} : { 'x-telegram-bot-api-secret-token': secret }),
    },
    body: JSON.stringify(update),
  });
}

describe('Telegram webhook mode', () => {
  it('registers the webhook with the secret and allowed updates, and never long-polls', async () => {
    const [call] = h.telegram.callsOf('setWebhook');
    expect(call?.params).toMatchObject({
      url: `${PUBLIC_URL}/telegram/webhook`,
      secret_token: SECRET,
      allowed_updates: ['message', 'callback_query', 'inline_query', 'chosen_inline_result', 'chat_join_request'],
    });
    // Once an update pushed to the webhook is answered, a poller started with the bot would have polled.
    const chat: TestChat = { id: 880_000, type: 'private' };
    expect((await push(payUpdate(chat, '/help', 1))).status).toBe(200);
    await h.telegram.waitFor(() => botCalls(h, chat.id).length === 1);
    expect(h.telegram.callsOf('getUpdates')).toHaveLength(0);
    expect(h.telegram.callsOf('deleteWebhook')).toHaveLength(0);
    expect(h.logs.find(/SMARTy Pay's dashboard/)[0]).toMatchObject({
      smartyPayWebhookUrl: `${PUBLIC_URL}/webhooks/smartypay`,
      msg: `SMARTy Pay's webhook URL (set it in SMARTy Pay's dashboard): ${PUBLIC_URL}/webhooks/smartypay`,
    });
  });

  it('401 for a missing or wrong secret token, and nothing handled', async () => {
    const chat: TestChat = { id: 880_001, type: 'private' };
    expect((await push(payUpdate(chat, '/pay 1', 10), null)).status).toBe(401);
    expect((await push(payUpdate(chat, '/pay 1', 11), 'wrong-secret-0123456789')).status).toBe(401);
    // The next update with the secret is answered: had either refused one been handled, it would show up too.
    expect((await push(payUpdate(chat, '/pay 1', 12))).status).toBe(200);
    await h.telegram.waitFor(() => botCalls(h, chat.id).length === 1);
    expect(botCalls(h, chat.id)).toHaveLength(1);
    const rows = await h.db.select().from(invoices).where(eq(invoices.chatId, chat.id));
    expect(rows.map((row) => row.payMessageId)).toEqual([12]);
  });

  it('acknowledges at once while SMARTy Pay is slow, then answers /pay', async () => {
    const chat: TestChat = { id: 880_002, type: 'private' };
    h.smartypay.setLatency(1_500);
    try {
      const started = performance.now();
      const response = await push(payUpdate(chat, '/pay 2 bUSDT', 20));
      const ackMs = performance.now() - started;
      expect(response.status).toBe(200);
      expect(ackMs).toBeLessThan(1_000);
      console.info(`[measured] webhook-mode /pay acknowledged in ${ackMs.toFixed(1)} ms with SMARTy Pay at 1.5 s`);
      await h.telegram.waitFor(() => botCalls(h, chat.id).length === 1, 8_000);
    } finally {
      h.smartypay.setLatency(0);
    }
    expect(botCalls(h, chat.id)[0]?.params.text).toContain('2 bUSDT');
  });

  it('a redelivered update (same update_id) makes no second invoice', async () => {
    const chat: TestChat = { id: 880_003, type: 'private' };
    const update = payUpdate(chat, '/pay 3 bUSDT', 30);
    const first = await push(update);
    const again = await Promise.all([push(update), push(update)]);
    expect([first.status, ...again.map((r) => r.status)]).toEqual([200, 200, 200]);
    await h.telegram.waitFor(() => botCalls(h, chat.id).length === 1);
    // A later update in the same chat is answered: a second card for the redelivered one would show up by then.
    expect((await push(payUpdate(chat, '/help', 31))).status).toBe(200);
    await h.telegram.waitFor(() => botCalls(h, chat.id).length === 2);
    expect(botCalls(h, chat.id).map((call) => call.params.text.startsWith('🧾'))).toEqual([true, false]);
    expect(await h.db.select().from(invoices).where(eq(invoices.chatId, chat.id))).toHaveLength(1);
  });
});
