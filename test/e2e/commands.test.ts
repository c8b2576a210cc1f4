import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MENU } from '../../src/bot/commands.js';
import { MERCHANT } from '../support/flows.js';
import { type Harness, startHarness } from '../support/harness.js';

// The command menu is published at startup in English and Russian; Telegram refusing it is not fatal.
// Two apps for the whole file (starting one is most of a case's cost): one as configured by default, one whose
// start met a refused setMyCommands and which takes other tokens.

let h: Harness;
/** setMyCommands refused at start; ALLOWED_TOKENS=pUSDC,bUSDT; user 1 is the merchant. */
let refused: Harness;
beforeAll(async () => {
  [h, refused] = await Promise.all([
    startHarness({ env: { MERCHANT_USER_IDS: `${MERCHANT.id},3` } }),
    startHarness({
      env: { ALLOWED_TOKENS: 'pUSDC,bUSDT', MERCHANT_USER_IDS: '1' },
      beforeStart: ({ telegram }) =>
        telegram.failNext('setMyCommands', { status: 500, description: 'Internal Server Error' }),
    }),
  ]);
});
afterAll(async () => {
  await Promise.all([h?.close(), refused?.close()]);
});

describe('command menu', () => {
  it('is published in English and Russian at startup', async () => {
    const calls = h.telegram.callsOf('setMyCommands').map((call) => call.params);
    expect(calls).toHaveLength(2);
    expect(calls[0]?.language_code).toBeUndefined();
    expect(calls[0]?.commands.map((c: { command: string }) => c.command)).toEqual([...MENU]);
    expect(calls[1]?.commands.map((c: { command: string }) => c.command)).toEqual([...MENU]);
    expect(calls[1]?.language_code).toBe('ru');
    expect(calls[1]?.commands[0].description).toMatch(/счёт/);
  });

  it('a refused setMyCommands is logged and the bot still starts and answers', async () => {
    const h = refused;
    expect(h.logs.find(/could not publish the command menu/)).toHaveLength(1);
    expect((await fetch(`${h.app.url}/healthz`)).status).toBe(200);
    const chat = { id: 990_001, type: 'private' as const };
    h.telegram.sendText({ chat, from: { id: 1, first_name: 'M' }, text: '/help' });
    await h.telegram.waitFor((calls) => calls.some((c) => c.method === 'sendMessage' && c.params.chat_id === chat.id));
  });

  it('/tokens lists what ALLOWED_TOKENS accepts; /pay in another real token is refused, nothing created', async () => {
    const h = refused;
    const chat = { id: 990_002, type: 'private' as const };
    const from = { id: 1, first_name: 'M' };
    h.telegram.sendText({ chat, from, text: '/tokens' });
    await h.telegram.waitFor(() => h.telegram.messages(chat.id).length === 1);
    expect(h.telegram.messages(chat.id)[0]?.text).toBe(
      '<b>Accepted tokens</b>\n• pUSDC (default)\n• bUSDT\n\nName one after the amount: <code>/pay 5 pUSDC</code>',
    );
    h.telegram.sendText({ chat, from, text: '/pay 5 aUSDT' });
    await h.telegram.waitFor(() => h.telegram.messages(chat.id).length === 2);
    expect(h.telegram.messages(chat.id)[1]?.text).toBe(
      'This bot does not take aUSDT. Tokens: pUSDC, bUSDT — e.g. <code>/pay 5 pUSDC coffee</code>',
    );
    h.telegram.sendText({ chat, from: { ...from, language_code: 'ru' }, text: '/pay 5 aUSDT' });
    await h.telegram.waitFor(() => h.telegram.messages(chat.id).length === 3);
    expect(h.telegram.messages(chat.id)[2]?.text).toBe(
      'Этот бот не принимает aUSDT. Токены: pUSDC, bUSDT — например, <code>/pay 5 pUSDC кофе</code>',
    );
    expect(h.smartypay.createdInvoices()).toHaveLength(0);
  });
});

describe('language', () => {
  it('answers in Russian to a user whose Telegram is in Russian, and publishes nothing untranslated', async () => {
    const chat = { id: 990_003, type: 'private' as const };
    h.telegram.sendText({ chat, from: { id: 3, first_name: 'Ира', language_code: 'ru' }, text: '/pay' });
    await h.telegram.waitFor(() => h.telegram.messages(chat.id).length === 1);
    const text = h.telegram.messages(chat.id)[0]?.text ?? '';
    expect(text).toBe('Укажите сумму — например, <code>/pay 5 bUSDT кофе</code>');
    h.telegram.sendText({ chat, from: { id: 3, first_name: 'Ира', language_code: 'ru' }, text: '/help' });
    await h.telegram.waitFor(() => h.telegram.messages(chat.id).length === 2);
    const help = h.telegram.messages(chat.id)[1]?.text ?? '';
    expect(help.split('\n')[0]).toBe('<b>Оплата криптовалютой прямо в этом чате</b>');
    expect(help).not.toMatch(/[{}]|\b[a-z]+-[a-z]+-[a-z]+\b/); // no raw Fluent keys or placeables
  });
});

describe('/help', () => {
  it('explains /pay with examples and names every command of the menu and inline mode, in English and Russian', async () => {
    for (const [user, language_code] of [
      [21, 'en'],
      [22, 'ru'],
    ] as const) {
      const chat = { id: user, type: 'private' as const };
      h.telegram.sendText({ chat, from: { id: user, first_name: 'U', language_code }, text: '/help' });
      await h.telegram.waitFor(() => h.telegram.messages(chat.id).length === 1);
      const text = h.telegram.messages(chat.id)[0]?.text ?? '';
      // Each language writes the decimal mark its own way (the bot reads both).
      expect(text).toContain(language_code === 'ru' ? '<code>/pay 0,99 bBUSD' : '<code>/pay 0.99 bBUSD');
      for (const command of MENU.filter((c) => c !== 'help' && c !== 'pay'))
        expect(text, command).toContain(`/${command}`);
      expect(text).toContain(`@${h.telegram.botInfo.username} 10 bUSDT`);
      expect(text).toContain(language_code === 'ru' ? 'Команды' : 'Commands');
    }
  });
});

describe('/id with a merchant configured', () => {
  it('answers anyone, without the setup hint', async () => {
    const chat = { id: 7373, type: 'private' as const };
    h.telegram.sendText({ chat, from: { id: 7373, first_name: 'C' }, text: '/id' });
    await h.telegram.waitFor(() => h.telegram.messages(chat.id).length === 1);
    expect(h.telegram.messages(chat.id)[0]?.text).toBe(
      "Your user id: <code>7373</code>\nThis chat's id: <code>7373</code>",
    );
    expect(h.logs.find(/^setup mode/)).toHaveLength(0);
  });
});
