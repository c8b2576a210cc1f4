import { Api, Bot, GrammyError } from 'grammy';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeTelegram, startFakeTelegram } from './fake-telegram.js';

// Exercises the fake through real grammY clients, so a mismatch with what grammY sends or expects shows up here
// rather than as a confusing failure in a bot test.

let fake: FakeTelegram;
let api: Api;

beforeEach(async () => {
  fake = await startFakeTelegram();
  api = new Api(fake.token, { apiRoot: fake.apiRoot });
});

afterEach(async () => {
  await fake.close();
});

async function rejection(promise: Promise<unknown>): Promise<GrammyError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GrammyError);
  return error as GrammyError;
}

const inlineKeyboard = (label: string) => ({ inline_keyboard: [[{ text: label, callback_data: label }]] });

describe('basic methods', () => {
  it('getMe returns botInfo, which Bot.init adopts', async () => {
    expect(await api.getMe()).toEqual(fake.botInfo);
    const bot = new Bot(fake.token, { client: { apiRoot: fake.apiRoot } });
    await bot.init();
    expect(bot.botInfo.username).toBe(fake.botInfo.username);
    expect(fake.callsOf('getMe')).toHaveLength(2);
  });

  it('sendMessage allocates increasing per-chat ids from 1000 and records the message', async () => {
    const first = await api.sendMessage(42, 'one', { reply_markup: inlineKeyboard('a') });
    const second = await api.sendMessage(42, 'two', { reply_parameters: { message_id: first.message_id } });
    const other = await api.sendMessage(-1001, 'elsewhere');

    expect([first.message_id, second.message_id, other.message_id]).toEqual([1000, 1001, 1000]);
    expect(first.chat).toEqual({ id: 42, type: 'private' });
    expect(other.chat.type).toBe('supergroup');
    expect(first.from?.id).toBe(fake.botInfo.id);
    expect(second.reply_to_message?.message_id).toBe(1000);
    expect(fake.messages(42)).toEqual([
      { message_id: 1000, text: 'one', reply_markup: inlineKeyboard('a'), edits: 0 },
      { message_id: 1001, text: 'two', reply_to_message_id: 1000, edits: 0 },
    ]);
    expect(fake.callsOf('sendMessage')[0]?.params).toMatchObject({ chat_id: 42, text: 'one' });
  });

  it('sendText shares the per-chat counter and marks commands', async () => {
    const { update, message } = fake.sendText({
      chat: { id: -100, type: 'supergroup', title: 'Shop' },
      from: { id: 7, first_name: 'Ann' },
      text: '/pay@test_bot 10',
    });
    expect(update.update_id).toBe(1);
    expect(message.message_id).toBe(1000);
    expect(message.entities).toEqual([{ type: 'bot_command', offset: 0, length: 13 }]);
    const sent = await api.sendMessage(-100, 'ok');
    expect(sent.message_id).toBe(1001);
    expect(sent.chat).toMatchObject({ id: -100, type: 'supergroup', title: 'Shop' });
  });

  it('accepts numeric-string chat ids, form bodies, GET queries and empty bodies', async () => {
    expect((await api.sendMessage('55', 'str')).chat.id).toBe(55);

    const form = await fetch(`${fake.apiRoot}/bot${fake.token}/sendMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ chat_id: '55', text: 'form', reply_markup: JSON.stringify(inlineKeyboard('f')) }),
    });
    expect(((await form.json()) as { result: { message_id: number } }).result.message_id).toBe(1001);

    const query = await fetch(`${fake.apiRoot}/bot${fake.token}/getChat?chat_id=55`);
    expect(await query.json()).toEqual({ ok: true, result: { id: 55, type: 'private' } });

    const empty = await fetch(`${fake.apiRoot}/bot${fake.token}/getMe`, { method: 'POST' });
    expect(((await empty.json()) as { ok: boolean }).ok).toBe(true);

    expect(fake.messages(55).map((m) => m.text)).toEqual(['str', 'form']);
    expect(fake.messages(55)[1]?.reply_markup).toEqual(inlineKeyboard('f'));
    expect(fake.callsOf('sendMessage').map((c) => c.params.chat_id)).toEqual([55, 55]);
  });

  it('rejects a wrong token with 401 and unknown methods with 404', async () => {
    const wrong = new Api('999:nope', { apiRoot: fake.apiRoot });
    expect(await rejection(wrong.getMe())).toMatchObject({ error_code: 401, description: 'Unauthorized' });

    const res = await fetch(`${fake.apiRoot}/bot${fake.token}/sendTelepathy`, { method: 'POST' });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ ok: false, error_code: 404, description: 'Not Found: method not found' });
  });
});

describe('editing', () => {
  it('edits text, removes the keyboard when omitted, and refuses no-op edits', async () => {
    const sent = await api.sendMessage(1, 'pending', { reply_markup: inlineKeyboard('pay') });

    const sameEdit = api.editMessageText(1, sent.message_id, 'pending', { reply_markup: inlineKeyboard('pay') });
    const noop = await rejection(sameEdit);
    expect(noop.error_code).toBe(400);
    expect(noop.description).toContain('message is not modified');

    const edited = await api.editMessageText(1, sent.message_id, 'paid');
    expect(edited).toMatchObject({ message_id: sent.message_id, text: 'paid' });
    expect(fake.messages(1)).toEqual([{ message_id: sent.message_id, text: 'paid', edits: 1 }]);

    await api.editMessageReplyMarkup(1, sent.message_id, { reply_markup: inlineKeyboard('receipt') });
    expect(fake.messages(1)[0]).toMatchObject({ text: 'paid', reply_markup: inlineKeyboard('receipt'), edits: 2 });
    const sameMarkup = api.editMessageReplyMarkup(1, sent.message_id, { reply_markup: inlineKeyboard('receipt') });
    expect((await rejection(sameMarkup)).description).toContain('message is not modified');

    const missing = await rejection(api.editMessageText(1, 4242, 'x'));
    expect(missing).toMatchObject({ error_code: 400, description: 'Bad Request: message to edit not found' });
  });
});

describe('getUpdates', () => {
  it('a running Bot receives an injected command and replies', async () => {
    const bot = new Bot(fake.token, { client: { apiRoot: fake.apiRoot } });
    bot.command('start', (ctx) => ctx.reply('welcome', { reply_parameters: { message_id: ctx.msg.message_id } }));
    const running = bot.start();
    await fake.waitFor((calls) => calls.some((c) => c.method === 'getUpdates'));

    const { message } = fake.sendText({ chat: { id: 9, type: 'private' }, from: { id: 9 }, text: '/start' });
    await fake.waitFor((calls) => calls.some((c) => c.method === 'sendMessage'));
    expect(fake.messages(9)).toEqual([
      { message_id: message.message_id + 1, text: 'welcome', reply_to_message_id: message.message_id, edits: 0 },
    ]);

    await bot.stop();
    await running;
    // stop() confirms the handled update, so the queue is empty afterwards.
    expect(await api.getUpdates({ timeout: 0 })).toEqual([]);
  });

  it('long-polls until an update arrives', async () => {
    const started = Date.now();
    const poll = api.getUpdates({ timeout: 30 });
    await fake.waitFor((calls) => calls.some((c) => c.method === 'getUpdates'));
    setTimeout(() => fake.pushUpdate({ message: { text: 'late' } }), 50);
    const updates = await poll;
    expect(updates).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('answers [] once maxLongPollMs passes', async () => {
    const quick = await startFakeTelegram({ maxLongPollMs: 100 });
    try {
      const started = Date.now();
      const updates = await new Api(quick.token, { apiRoot: quick.apiRoot }).getUpdates({ timeout: 30 });
      expect(updates).toEqual([]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    } finally {
      await quick.close();
    }
  });

  it('honours offset (permanently) and limit', async () => {
    for (const text of ['a', 'b', 'c']) fake.pushUpdate({ message: { text } });
    expect((await api.getUpdates({ limit: 2 })).map((u) => u.update_id)).toEqual([1, 2]);
    expect((await api.getUpdates({ offset: 3 })).map((u) => u.update_id)).toEqual([3]);
    expect((await api.getUpdates()).map((u) => u.update_id)).toEqual([3]);
    expect(fake.pushUpdate({ update_id: 50 }).update_id).toBe(50);
    expect(fake.pushUpdate({}).update_id).toBe(51);
  });

  it('close() ends a pending long poll at once', async () => {
    const slow = await startFakeTelegram({ maxLongPollMs: 60_000 });
    const poll = new Api(slow.token, { apiRoot: slow.apiRoot }).getUpdates({ timeout: 60 });
    await slow.waitFor((calls) => calls.length > 0);
    const started = Date.now();
    await slow.close();
    expect(await poll).toEqual([]);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('fault injection and delays', () => {
  it('fails the next call with the given status and parameters, then recovers', async () => {
    const tooMany = { status: 429, description: 'Too Many Requests: retry after 3', parameters: { retry_after: 3 } };
    fake.failNext('sendMessage', tooMany);
    const error = await rejection(api.sendMessage(1, 'x'));
    expect(error).toMatchObject({ error_code: 429, parameters: { retry_after: 3 }, method: 'sendMessage' });
    expect((await api.sendMessage(1, 'y')).message_id).toBe(1000); // the failed call sent nothing
    expect(fake.callsOf('sendMessage')).toHaveLength(2);
  });

  it("'*' fails any method except getUpdates, `times` times", async () => {
    const migrated = {
      status: 400,
      description: 'Bad Request: group chat was upgraded to a supergroup chat',
      parameters: { migrate_to_chat_id: -100123 },
    };
    fake.failNext('*', migrated, 2);
    expect(await api.getUpdates()).toEqual([]);
    expect((await rejection(api.getMe())).parameters.migrate_to_chat_id).toBe(-100123);
    expect((await rejection(api.sendMessage(-5, 'x'))).error_code).toBe(400);
    expect((await api.sendMessage(-5, 'x')).message_id).toBe(1000);
  });

  it('delays answers but records calls on arrival', async () => {
    fake.setDelay('sendMessage', 150);
    const started = Date.now();
    await api.sendMessage(1, 'slow');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(fake.callsOf('sendMessage')[0]?.at ?? Infinity).toBeLessThan(started + 100);

    fake.setDelay('sendMessage', 0);
    const again = Date.now();
    await api.sendMessage(1, 'fast');
    expect(Date.now() - again).toBeLessThan(100);
  });

  it('waitFor rejects with the methods called so far', async () => {
    await api.getMe();
    await api.getUpdates();
    await api.getUpdates();
    await expect(fake.waitFor(() => false, 50)).rejects.toThrow('calls so far: getMe, getUpdates×2');
  });
});
