import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { botCalls, type TestChat } from '../support/flows.js';
import { type Harness, startHarness } from '../support/harness.js';

// Without MERCHANT_USER_IDS the bot is in setup mode: it answers /start, /help and /id, tells anyone who
// tries a merchant command how to finish the setup, and creates nothing.

const SETUP =
  '🛠 This bot is in setup mode and makes no invoices yet. To finish: send /id to the bot, put your user id in MERCHANT_USER_IDS and restart it.';
const OWNER = { id: 7171, first_name: 'Owner', language_code: 'en' };
const own: TestChat = { id: OWNER.id, type: 'private' };
const group = { id: -100_800_001, type: 'supergroup' as const, title: 'Shop' };
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ env: { MERCHANT_USER_IDS: '' } });
  h.telegram.setAdmins(group.id, [OWNER.id]);
});
afterAll(async () => {
  await h?.close();
});

async function say(chat: TestChat, text: string, from = OWNER): Promise<string> {
  const before = botCalls(h, chat.id).length;
  h.telegram.sendText({ chat, from, text });
  await h.telegram.waitFor(() => botCalls(h, chat.id).length > before);
  return botCalls(h, chat.id)[before]?.params.text ?? '';
}

describe('setup mode', () => {
  it('says so in a warning at startup', () => {
    expect(h.logs.find(/^setup mode/)).toMatchObject([
      {
        level: 40,
        msg: 'setup mode: nobody can issue invoices yet. Send /id to @test_bot, put your user id in MERCHANT_USER_IDS and restart',
      },
    ]);
  });

  it('/start and /help lead with how to finish the setup, then the usual guide', async () => {
    for (const command of ['/start', '/help']) {
      const text = await say(own, command);
      expect(text.startsWith('<b>🛠 Setup mode</b>\nNo merchant is configured yet'), text).toBe(true);
      expect(text).toContain('<code>MERCHANT_USER_IDS</code>');
      expect(text).toContain('<b>Commands</b>');
    }
  });

  it('every merchant command, button and inline query answers the setup sentence; nothing is created', async () => {
    const shop = ['/newproduct 5 bUSDT Photo pack', '/setcontent abc', '/products'];
    for (const command of ['/pay 5 bUSDT', '/invoices', '/stats', '/export', '/cancel 1', ...shop]) {
      expect(await say(own, command), command).toBe(SETUP);
    }
    // A group admin is no merchant either until the setup is done.
    expect(await say(group, '/pay 5 bUSDT')).toBe(SETUP);
    expect(await say(group, '/lang ru')).toBe(SETUP);
    const queryId = h.telegram.inlineQuery({ from: OWNER, query: '10 bUSDT coffee' });
    await h.telegram.waitFor(() => h.telegram.inlineResults(queryId) !== undefined);
    const answer = h.telegram.callsOf('answerInlineQuery').at(-1)?.params;
    expect(answer?.results).toEqual([]);
    expect(answer?.button?.text).toBe(SETUP);
    expect(h.smartypay.createdInvoices()).toHaveLength(0);
    expect(h.smartypay.requests).toHaveLength(0);
    expect(h.telegram.callsOf('getChatAdministrators')).toHaveLength(0);
  });

  it('/id gives the user id and chat id, and says where they go', async () => {
    expect(await say(own, '/id')).toBe(
      "Your user id: <code>7171</code>\nThis chat's id: <code>7171</code>\n\n" +
        "To become this bot's merchant, put your user id in <code>MERCHANT_USER_IDS</code> and restart the bot.",
    );
    const inGroup = await say(group, '/id');
    expect(inGroup).toContain("Your user id: <code>7171</code>\nThis chat's id: <code>-100800001</code>");
    expect(inGroup).toContain('<code>MERCHANT_CHAT_IDS</code>');
  });

  it('/id from an anonymous admin gives the chat id and says they write anonymously', async () => {
    const before = botCalls(h, group.id).length;
    h.telegram.pushUpdate({
      message: {
        message_id: 950,
        date: Math.floor(Date.now() / 1000),
        chat: group,
        from: { id: 1_087_968_824, is_bot: true, first_name: 'Group', username: 'GroupAnonymousBot' },
        sender_chat: group,
        text: '/id',
        entities: [{ type: 'bot_command', offset: 0, length: 3 }],
      },
    });
    await h.telegram.waitFor(() => botCalls(h, group.id).length > before);
    const text = botCalls(h, group.id)[before]?.params.text ?? '';
    expect(text).toContain('You write anonymously as this group');
    expect(text).toContain("This chat's id: <code>-100800001</code>");
    expect(text).not.toContain('1087968824');
  });

  it('answers in Russian too', async () => {
    const ru = { id: 7272, first_name: 'Ира', language_code: 'ru' };
    const text = await say({ id: ru.id, type: 'private' }, '/pay 5 bUSDT', ru);
    expect(text).toContain('Бот ещё не настроен');
  });
});

// /id with a merchant configured: test/e2e/commands.test.ts (its app is configured; this file's is not).
