import { Api, Bot, GrammyError, InputFile } from 'grammy';
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

// grammY types its signal parameter with the abort-controller polyfill; a native AbortSignal works at runtime.
type AbortSignalArg = Parameters<Api['sendMessage']>[3];

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

describe('menu button', () => {
  it('setChatMenuButton keeps a web_app button per chat (https only) and getChatMenuButton reads it back', async () => {
    const button = { type: 'web_app' as const, text: 'Dashboard', web_app: { url: 'https://bot.example/app/' } };
    await api.setChatMenuButton({ chat_id: 42, menu_button: button });
    expect(fake.menuButton(42)).toEqual(button);
    expect(await api.getChatMenuButton({ chat_id: 42 })).toEqual(button);
    expect(fake.menuButton(43)).toEqual({ type: 'default' });
    const http = { ...button, web_app: { url: 'http://bot.example/app/' } };
    expect((await rejection(api.setChatMenuButton({ chat_id: 42, menu_button: http }))).description).toBe(
      'Bad Request: BUTTON_URL_INVALID',
    );
    expect(
      (await rejection(api.setChatMenuButton({ chat_id: 42, menu_button: { ...button, text: '' } }))).error_code,
    ).toBe(400);
    await api.setChatMenuButton({ menu_button: { type: 'commands' } });
    expect(fake.menuButton(43)).toEqual({ type: 'commands' });
    expect(fake.menuButton(42)).toEqual(button);
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

describe('call records', () => {
  it('records the answered status and time, and lists created messages in sentMessages', async () => {
    const before = Date.now();
    const preciseBefore = performance.now();
    await api.sendMessage(3, 'first');
    await rejection(api.editMessageText(3, 4242, 'x'));
    await api.sendMessage(-7, 'second');
    const after = Date.now();
    const preciseAfter = performance.now();

    expect(fake.calls.map((c) => [c.method, c.status])).toEqual([
      ['sendMessage', 200],
      ['editMessageText', 400],
      ['sendMessage', 200],
    ]);
    for (const call of fake.calls) {
      expect(call.answeredAt).toBeGreaterThanOrEqual(call.at);
      expect(call.aborted).toBeUndefined();
      // The sub-millisecond arrival time, on this process's performance.now() clock, in call order.
      expect(call.arrivedMs).toBeGreaterThan(preciseBefore);
      expect(call.arrivedMs).toBeLessThan(preciseAfter);
    }
    const arrivals = fake.calls.map((c) => c.arrivedMs);
    expect(arrivals).toEqual([...arrivals].sort((a, b) => a - b));
    const sent = fake.sentMessages();
    expect(sent.map(({ at: _at, ...m }) => m)).toEqual([
      { chatId: 3, message_id: 1000, text: 'first' },
      { chatId: -7, message_id: 1000, text: 'second' },
    ]);
    for (const { at } of sent) {
      expect(at).toBeGreaterThanOrEqual(before);
      expect(at).toBeLessThanOrEqual(after);
    }
    // Edits don't rewrite history, and the returned array is a copy.
    await api.editMessageText(3, 1000, 'edited');
    sent.length = 0;
    expect(fake.sentMessages()[0]?.text).toBe('first');
  });
});

describe('deleted messages', () => {
  const user = { id: 7, first_name: 'Ann' };
  const chat = { id: 7, type: 'private' as const };

  it('replying to a deleted message fails unless allow_sending_without_reply is set', async () => {
    const { message } = fake.sendText({ chat, from: user, text: '/pay 10' });
    fake.deleteMessage(7, message.message_id);

    const refused = await rejection(api.sendMessage(7, 'x', { reply_parameters: { message_id: message.message_id } }));
    expect(refused).toMatchObject({ error_code: 400, description: 'Bad Request: message to be replied not found' });

    const allowed = await api.sendMessage(7, 'invoice', {
      reply_parameters: { message_id: message.message_id, allow_sending_without_reply: true },
    });
    expect(allowed.reply_to_message).toBeUndefined();
    expect(allowed.message_id).toBe(message.message_id + 1); // the refused send consumed no id
    expect(fake.messages(7)).toEqual([{ message_id: allowed.message_id, text: 'invoice', edits: 0 }]);

    // Legacy top-level parameters, as older clients send them.
    const legacy = async (extra: Record<string, unknown>) => {
      const res = await fetch(`${fake.apiRoot}/bot${fake.token}/sendMessage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ chat_id: 7, text: 'legacy', reply_to_message_id: message.message_id, ...extra }),
      });
      return (await res.json()) as { ok: boolean; description?: string; result?: Record<string, unknown> };
    };
    expect(await legacy({})).toMatchObject({ ok: false, description: 'Bad Request: message to be replied not found' });
    const legacyAllowed = await legacy({ allow_sending_without_reply: true });
    expect(legacyAllowed.ok).toBe(true);
    expect(legacyAllowed.result?.reply_to_message).toBeUndefined();

    // Replies to messages that still exist (or were never seen) are unaffected.
    const live = fake.sendText({ chat, from: user, text: 'hi' }).message;
    const answer = await api.sendMessage(7, 'hello', { reply_parameters: { message_id: live.message_id } });
    expect(answer.reply_to_message?.message_id).toBe(live.message_id);
    expect((await api.sendMessage(7, 'y', { reply_parameters: { message_id: 1 } })).reply_to_message?.message_id).toBe(
      1,
    );
  });

  it('deleteMessage deletes once; edits of a deleted message fail', async () => {
    const sent = await api.sendMessage(-100, 'pending', { reply_markup: inlineKeyboard('pay') });
    expect(await api.deleteMessage(-100, sent.message_id)).toBe(true);

    const again = await rejection(api.deleteMessage(-100, sent.message_id));
    expect(again).toMatchObject({ error_code: 400, description: 'Bad Request: message to delete not found' });
    const unknown = await rejection(api.deleteMessage(-100, 4242));
    expect(unknown.description).toBe('Bad Request: message to delete not found');

    const notFound = { error_code: 400, description: 'Bad Request: message to edit not found' };
    expect(await rejection(api.editMessageText(-100, sent.message_id, 'paid'))).toMatchObject(notFound);
    const markup = api.editMessageReplyMarkup(-100, sent.message_id, { reply_markup: inlineKeyboard('x') });
    expect(await rejection(markup)).toMatchObject(notFound);

    expect(fake.messages(-100)).toEqual([
      { message_id: sent.message_id, text: 'pending', reply_markup: inlineKeyboard('pay'), edits: 0, deleted: true },
    ]);
  });

  it('deletes user messages and pushed messages through the API, and deleteMessages skips unknown ids', async () => {
    const { message } = fake.sendText({ chat, from: user, text: 'hello' });
    expect(await api.deleteMessage(7, message.message_id)).toBe(true);
    fake.pushUpdate({ message: { message_id: 5, date: 0, chat: { id: 7, type: 'private' }, text: 'pushed' } });
    const bot = await api.sendMessage(7, 'reply');

    expect(await api.deleteMessages(7, [5, bot.message_id, 999])).toBe(true);
    expect(fake.messages(7)[0]?.deleted).toBe(true);
    expect((await rejection(api.deleteMessage(7, 5))).description).toBe('Bad Request: message to delete not found');
    expect((await rejection(api.deleteMessages(7, []))).error_code).toBe(400);
  });
});

describe('aborted requests', () => {
  it('a delayed sendMessage aborted by the client has no effect and is marked aborted', async () => {
    fake.setDelay('sendMessage', 300);
    const controller = new AbortController();
    const sending = api.sendMessage(8, 'never', undefined, controller.signal as AbortSignalArg);
    await fake.waitFor((calls) => calls.some((c) => c.method === 'sendMessage'));
    controller.abort();
    await expect(sending).rejects.toThrow();

    await fake.waitFor((calls) => calls[0]?.aborted === true, 1000);
    await new Promise((resolve) => setTimeout(resolve, 400)); // past the delay: still nothing happens
    expect(fake.messages(8)).toEqual([]);
    expect(fake.sentMessages()).toEqual([]);
    const [aborted] = fake.callsOf('sendMessage');
    expect(aborted).toMatchObject({ method: 'sendMessage', aborted: true });
    expect(aborted?.status).toBeUndefined();
    expect(aborted?.answeredAt).toBeUndefined();

    fake.setDelay('sendMessage', 0);
    expect((await api.sendMessage(8, 'next')).message_id).toBe(1000); // no id was consumed
    const completed = fake.callsOf('sendMessage')[1];
    expect(completed?.aborted).toBeUndefined();
    expect(completed?.status).toBe(200);
  });

  it('an aborted call does not count toward the rate limits', async () => {
    fake.setRateLimits({ perChatPerSecond: 1 });
    fake.setDelay('sendMessage', 200);
    const controller = new AbortController();
    const sending = api.sendMessage(8, 'never', undefined, controller.signal as AbortSignalArg);
    await fake.waitFor((calls) => calls.length === 1);
    controller.abort();
    await expect(sending).rejects.toThrow();
    await fake.waitFor((calls) => calls[0]?.aborted === true, 1000);
    fake.setDelay('sendMessage', 0);
    expect((await api.sendMessage(8, 'fits')).message_id).toBe(1000);
    expect(fake.rateLimited()).toBe(0);
  });
});

describe('rate limits', () => {
  it('perChatPerSecond: a second quick send into one chat gets 429 retry after 1, other chats are free', async () => {
    fake.setRateLimits({ perChatPerSecond: 1 });
    const first = await api.sendMessage(1, 'a');
    const limited = await rejection(api.sendMessage(1, 'b'));
    expect(limited).toMatchObject({
      error_code: 429,
      description: 'Too Many Requests: retry after 1',
      parameters: { retry_after: 1 },
    });
    expect((await rejection(api.editMessageText(1, first.message_id, 'edited'))).error_code).toBe(429);
    expect((await api.sendMessage(2, 'c')).message_id).toBe(1000);
    await api.getMe(); // not chat-targeted
    await api.getChat(1);
    expect(fake.rateLimited()).toBe(2);
    expect(fake.calls.map((c) => c.status)).toEqual([200, 429, 429, 200, 200, 200]);
    expect(fake.messages(1)).toEqual([{ message_id: 1000, text: 'a', edits: 0 }]);

    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await api.sendMessage(1, 'later')).message_id).toBe(1001); // rejected sends consumed no id
  });

  it('methods restricts the limits to those methods (new messages, not edits)', async () => {
    fake.setRateLimits({ perChatPerSecond: 1, methods: ['sendMessage'] });
    const first = await api.sendMessage(1, 'a');
    await api.editMessageText(1, first.message_id, 'edited');
    await api.editMessageText(1, first.message_id, 'edited again');
    expect((await rejection(api.sendMessage(1, 'b'))).error_code).toBe(429);
    expect(fake.rateLimited()).toBe(1);
  });

  it('globalPerSecond counts every chat', async () => {
    fake.setRateLimits({ globalPerSecond: 3 });
    for (const chat of [1, 2, 3]) await api.sendMessage(chat, 'ok');
    const limited = await rejection(api.sendMessage(4, 'one too many'));
    expect(limited.parameters.retry_after).toBe(1);
    expect(fake.sentMessages().map((m) => m.chatId)).toEqual([1, 2, 3]);
    expect(fake.rateLimited()).toBe(1);
  });

  it('perGroupPerMinute applies to groups only, with retry_after up to a minute', async () => {
    fake.setRateLimits({ perGroupPerMinute: 2 });
    await api.sendMessage(-100, 'one');
    await api.sendMessage(-100, 'two');
    const limited = await rejection(api.sendMessage(-100, 'three'));
    expect(limited.error_code).toBe(429);
    expect(limited.parameters.retry_after).toBeGreaterThanOrEqual(59);
    expect(limited.parameters.retry_after).toBeLessThanOrEqual(60);
    expect(limited.description).toBe(`Too Many Requests: retry after ${limited.parameters.retry_after}`);
    for (const text of ['a', 'b', 'c']) await api.sendMessage(5, text); // private chat: no per-minute limit
    await api.sendMessage(-200, 'another group');
  });

  it('applies to other chat-targeted methods, multipart uploads included', async () => {
    fake.setRateLimits({ perChatPerSecond: 1 });
    // The upload's chat_id is read from the multipart body and the call counts.
    await api.sendDocument(1, new InputFile(Buffer.from('receipt'), 'receipt.txt'));
    expect(fake.callsOf('sendDocument')[0]?.params).toMatchObject({ chat_id: 1 });
    expect((await rejection(api.sendMessage(1, 'too soon'))).error_code).toBe(429);
    await api.answerCallbackQuery('query-id');
    await api.setMyCommands([{ command: 'pay', description: 'Pay' }]);
    expect(fake.rateLimited()).toBe(1);
  });

  it('failNext faults come first, are not counted by rateLimited, and null lifts the limits', async () => {
    fake.setRateLimits({ perChatPerSecond: 1 });
    fake.failNext('sendMessage', {
      status: 429,
      description: 'Too Many Requests: retry after 9',
      parameters: { retry_after: 9 },
    });
    expect((await rejection(api.sendMessage(1, 'faulted'))).parameters.retry_after).toBe(9);
    await api.sendMessage(1, 'fits, the faulted call was not counted');
    expect((await rejection(api.sendMessage(1, 'limited'))).parameters.retry_after).toBe(1);
    expect(fake.rateLimited()).toBe(1);

    fake.setRateLimits(null);
    await api.sendMessage(1, 'free again');
    await api.sendMessage(1, 'and again');
    expect(() => fake.setRateLimits({ perChatPerSecond: 0 })).toThrow(RangeError);
    expect(() => fake.setRateLimits({ globalPerSecond: 1.5 })).toThrow(RangeError);
  });
});

describe('buttons, inline mode, admins and documents', () => {
  const user = { id: 42, first_name: 'Ann', language_code: 'ru' };

  it('pressButton queues a callback_query carrying the bot message; answers are recorded once', async () => {
    const sent = await api.sendMessage(-100, 'card', { reply_markup: inlineKeyboard('check') });
    const queryId = fake.pressButton({ from: user, data: 'check', chatId: -100, messageId: sent.message_id });
    const [update] = await api.getUpdates();
    expect(update?.callback_query).toMatchObject({
      id: queryId,
      data: 'check',
      from: { id: 42, language_code: 'ru' },
      message: { message_id: sent.message_id, text: 'card', chat: { id: -100 } },
    });
    await api.answerCallbackQuery(queryId, { text: 'Checked' });
    expect(fake.callbackAnswer(queryId)).toMatchObject({ text: 'Checked' });
    expect((await rejection(api.answerCallbackQuery(queryId))).error_code).toBe(400);
    expect(() => fake.pressButton({ from: user, data: 'x', chatId: -100, messageId: 999 })).toThrow(/no message/);
  });

  it('inline query → answer → chosen result → the inline message can be edited and its button pressed', async () => {
    const queryId = fake.inlineQuery({ from: user, query: '5 bUSDT tea' });
    expect((await api.getUpdates())[0]?.inline_query).toMatchObject({ id: queryId, query: '5 bUSDT tea' });
    await api.answerInlineQuery(queryId, [
      {
        type: 'article',
        id: 'r1',
        title: 'Invoice',
        input_message_content: { message_text: 'Invoice 5 bUSDT' },
        reply_markup: inlineKeyboard('pay'),
      },
    ]);
    expect(fake.inlineResults(queryId)).toHaveLength(1);
    const inlineId = fake.chooseInlineResult({ queryId });
    const chosen = (await api.getUpdates({ offset: 2 }))[0]?.chosen_inline_result;
    expect(chosen).toMatchObject({ result_id: 'r1', inline_message_id: inlineId, query: '5 bUSDT tea' });
    expect(await api.editMessageTextInline(inlineId, 'Paid')).toBe(true);
    expect(fake.inlineMessage(inlineId)).toEqual({ text: 'Paid', edits: 1 });
    expect((await rejection(api.editMessageTextInline(inlineId, 'Paid'))).description).toMatch(/not modified/);
    expect((await rejection(api.editMessageTextInline('inl-nope', 'x'))).description).toMatch(/not found/);
    const tap = fake.pressButton({ from: user, data: 'pay', inlineMessageId: inlineId });
    const press = (await api.getUpdates({ offset: 3 }))[0]?.callback_query;
    expect(press).toMatchObject({ id: tap, inline_message_id: inlineId, data: 'pay' });
    expect(press?.message).toBeUndefined();
  });

  it('without inline feedback no chosen_inline_result arrives', async () => {
    const queryId = fake.inlineQuery({ from: user, query: '1' });
    await api.getUpdates();
    await api.answerInlineQuery(queryId, [
      {
        type: 'article',
        id: 'a',
        title: 't',
        input_message_content: { message_text: 'm' },
        reply_markup: inlineKeyboard('p'),
      },
    ]);
    fake.chooseInlineResult({ queryId, feedback: false });
    expect(await api.getUpdates({ offset: 2, timeout: 0 })).toEqual([]);
  });

  it('refuses callback data that is empty or over 64 bytes, as Telegram does (BUTTON_DATA_INVALID)', async () => {
    const fits = 'é'.repeat(32); // 64 bytes
    const sent = await api.sendMessage(-101, 'card', { reply_markup: inlineKeyboard(fits) });
    for (const data of [`${fits}x`, '']) {
      const markup = inlineKeyboard(data);
      const refused = await rejection(api.sendMessage(-101, 'card', { reply_markup: markup }));
      expect([refused.error_code, refused.description]).toEqual([400, 'Bad Request: BUTTON_DATA_INVALID']);
      const edit = await rejection(api.editMessageText(-101, sent.message_id, 'edited', { reply_markup: markup }));
      expect(edit.description).toBe('Bad Request: BUTTON_DATA_INVALID');
    }
    const queryId = fake.inlineQuery({ from: user, query: '1' });
    const result = { type: 'article' as const, id: 'a', title: 't', input_message_content: { message_text: 'm' } };
    const answer = api.answerInlineQuery(queryId, [{ ...result, reply_markup: inlineKeyboard('a'.repeat(65)) }]);
    expect((await rejection(answer)).description).toBe('Bad Request: BUTTON_DATA_INVALID');
    expect(fake.inlineResults(queryId)).toBeUndefined();
    expect(fake.messages(-101)).toHaveLength(1);
  });

  it('getChatAdministrators lists the users set with setAdmins', async () => {
    expect(await api.getChatAdministrators(-5)).toEqual([]);
    fake.setAdmins(-5, [7, 8]);
    const admins = await api.getChatAdministrators(-5);
    expect(admins.map((member) => member.user.id)).toEqual([7, 8]);
  });

  it('sendDocument with an InputFile keeps the file name, bytes, caption and when it was sent', async () => {
    const csv = 'id,amount\n1,5.00\nÜ,😀\n';
    const before = Date.now();
    const message = await api.sendDocument(77, new InputFile(Buffer.from(csv), 'invoices.csv'), { caption: 'Export' });
    expect(message.document?.file_name).toBe('invoices.csv');
    const [document] = fake.documents();
    expect(document).toMatchObject({ chatId: 77, fileName: 'invoices.csv', caption: 'Export' });
    expect(document?.content.toString('utf8')).toBe(csv);
    expect(document?.at).toBeGreaterThanOrEqual(before);
    expect(document?.at).toBeLessThanOrEqual(Date.now());
  });

  it('sends files again by file id, keeping caption, caption entities and the reply; an empty id is refused', async () => {
    const bold = [{ type: 'bold' as const, offset: 0, length: 4 }];
    const photo = await api.sendPhoto(5, 'photo-file-1', {
      caption: 'Here you go',
      caption_entities: bold,
      reply_parameters: { message_id: 3 },
    });
    expect(photo.photo?.[0]?.file_id).toBe('photo-file-1');
    await api.sendDocument(5, 'doc-file-1');
    await api.sendVideo(5, 'video-file-1');
    await api.sendAudio(5, 'audio-file-1');
    await api.sendVoice(5, 'voice-file-1', { caption: 'hi' });
    expect(fake.media().map((m) => [m.method, m.fileId])).toEqual([
      ['sendPhoto', 'photo-file-1'],
      ['sendDocument', 'doc-file-1'],
      ['sendVideo', 'video-file-1'],
      ['sendAudio', 'audio-file-1'],
      ['sendVoice', 'voice-file-1'],
    ]);
    expect(fake.media()[0]).toMatchObject({ chatId: 5, caption: 'Here you go', captionEntities: bold, replyTo: 3 });
    expect(fake.documents()).toHaveLength(0); // uploads only
    expect((await rejection(api.sendPhoto(5, ''))).description).toContain('wrong file identifier');
  });

  it('a reply from sendText carries the whole message replied to; entities of a sent message are kept', async () => {
    const from = { id: 9, first_name: 'Ann' };
    const chat = { id: 9, type: 'private' as const };
    const { message: original } = fake.sendText({ chat, from, text: 'the goods' });
    const { message: reply } = fake.sendText({ chat, from, text: '/setcontent abc', replyTo: original.message_id });
    expect(reply.reply_to_message).toMatchObject({ message_id: original.message_id, text: 'the goods' });
    const unknown = fake.sendText({ chat, from, text: 'x', replyTo: 5 }).message;
    expect(unknown.reply_to_message).toEqual({ message_id: 5, date: unknown.date, chat: unknown.chat });

    const entities = [{ type: 'bold' as const, offset: 0, length: 1 }];
    await api.sendMessage(9, '<b', { entities });
    expect(fake.messages(9).at(-1)).toMatchObject({ text: '<b', entities });
  });
});
