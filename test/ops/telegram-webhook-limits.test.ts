import { request } from 'node:http';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telegramUpdates } from '../../src/db/schema.js';
import { botCalls, MERCHANT, type TestChat } from '../support/flows.js';
import { type Harness, startHarness } from '../support/harness.js';

// Webhook mode under abuse: the secret is checked before a byte of the body is read, bodies are bounded, and
// so are the updates in flight (BOT_CONCURRENCY); a 503 leaves the update unrecorded, so Telegram's retry counts.

const SECRET = 'webhook-secret-limits-0123';
let h: Harness;
let nextUpdateId = 7_000_000;

beforeAll(async () => {
  h = await startHarness({
    env: {
      BOT_MODE: 'webhook',
      PUBLIC_URL: 'https://bot.example.com',
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      BOT_CONCURRENCY: '2',
    },
  });
});
afterAll(async () => {
  await h?.close();
});

function payUpdate(chat: TestChat, text: string) {
  const updateId = ++nextUpdateId;
  return {
    update_id: updateId,
    message: {
      message_id: updateId % 100_000,
      date: Math.floor(Date.now() / 1000),
      chat,
      from: { ...MERCHANT, is_bot: false },
      text,
      entities: [{ type: 'bot_command', offset: 0, length: 4 }],
    },
  };
}

function push(body: unknown, secret: string | null = SECRET) {
  return fetch(`${h.app.url}/telegram/webhook`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(secret === null ? {} : { 'x-telegram-bot-api-secret-token': secret }),
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Declares a body of `declared` bytes, sends only a few, and resolves with the status and the time to answer. */
function postDeclaring(declared: number, secret: string | null): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'content-length': String(declared) };
    if (secret !== null) headers['x-telegram-bot-api-secret-token'] = secret;
    const req = request(`${h.app.url}/telegram/webhook`, { method: 'POST', headers }, (res) => {
      resolve({ status: res.statusCode ?? 0, ms: performance.now() - started });
      req.destroy();
    });
    req.on('error', reject);
    req.write('{"update_id":');
  });
}

describe('Telegram webhook limits', () => {
  it('checks the secret before parsing: a body that is not JSON gets 401 without the secret, 400 with it', async () => {
    expect((await push('{not json', null)).status).toBe(401);
    expect((await push('{not json', 'wrong-secret-0123456789')).status).toBe(401);
    expect((await push('{not json')).status).toBe(400);
  });

  it('answers 401 to a 1 MB declared body without the secret before it arrives', async () => {
    const answer = await postDeclaring(1024 * 1024, null);
    expect(answer.status).toBe(401);
    expect(answer.ms).toBeLessThan(2_000);
  });

  it('refuses bodies over 256 kB with 413: declared up front, or chunked past the limit', async () => {
    expect((await postDeclaring(256 * 1024 + 1, SECRET)).status).toBe(413);
    const big = JSON.stringify({ ...payUpdate({ id: 1, type: 'private' }, '/pay 1'), pad: 'x'.repeat(300 * 1024) });
    const chunked = await fetch(`${h.app.url}/telegram/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
      body: new Blob([big]).stream(),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    // Just under the limit is still an update.
    const fits = { ...payUpdate({ id: 991_000, type: 'private' }, '/help'), pad: 'x'.repeat(200 * 1024) };
    expect((await push(fits)).status).toBe(200);
  });

  it('503 once BOT_CONCURRENCY updates are in flight; the refused update is not recorded and its retry is handled', async () => {
    const chats: TestChat[] = [1, 2, 3].map((n) => ({ id: 991_100 + n, type: 'private' }));
    const [a, b, c] = chats.map((chat) => payUpdate(chat, '/pay 2 bUSDT'));
    h.smartypay.setLatency(1_500);
    try {
      expect((await push(a)).status).toBe(200);
      expect((await push(b)).status).toBe(200);
      const refused = await push(c);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      const recorded = await h.db
        .select()
        .from(telegramUpdates)
        .where(eq(telegramUpdates.updateId, c?.update_id ?? 0));
      expect(recorded).toHaveLength(0);
      await h.telegram.waitFor(() => chats.slice(0, 2).every((chat) => botCalls(h, chat.id).length === 1), 10_000);
    } finally {
      h.smartypay.setLatency(0);
    }
    // Telegram retries the refused update until it is taken (the two handlers may still be finishing after their
    // replies): then it is a first delivery, handled like any other.
    let retried = await push(c);
    for (let attempt = 1; retried.status === 503 && attempt < 50; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100)); // Telegram's own retry pace, much shortened
      retried = await push(c);
    }
    expect(retried.status).toBe(200);
    expect(await retried.json()).toEqual({ ok: true });
    await h.telegram.waitFor(() => botCalls(h, chats[2]?.id ?? 0).length === 1, 10_000);
    expect(botCalls(h, chats[2]?.id ?? 0)[0]?.params.text).toContain('2 bUSDT');
  });
});
