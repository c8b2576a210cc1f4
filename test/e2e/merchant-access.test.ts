import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { invoices } from '../../src/db/schema.js';
import { createTestClock } from '../support/clock.js';
import { botCalls, MERCHANT, type TestChat } from '../support/flows.js';
import { type Harness, startHarness } from '../support/harness.js';

// Who may issue invoices, how fast, and in which language the bot answers a chat. One app for the whole file
// (starting one is most of a case's cost); each case has chats of its own and starts in a fresh minute of the
// injected clock, so the /pay rate limit of one case never counts another's invoices.

const CUSTOMER = { id: 5151, first_name: 'Customer', language_code: 'en' };
const SHOP = { id: -100_700_002, type: 'supergroup' as const, title: 'Shop' };
const clock = createTestClock();
let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    now: clock.now,
    env: {
      MERCHANT_USER_IDS: `${MERCHANT.id}, 777`,
      MERCHANT_CHAT_IDS: String(SHOP.id),
      PAY_RATE_LIMIT_PER_MINUTE: '2',
    },
  });
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => {
  clock.advance(2 * 60_000);
});

/** Sends `text` as `from` and returns the bot's next message in that chat. */
async function say(harness: Harness, chat: TestChat, from: typeof MERCHANT, text: string): Promise<string> {
  const before = botCalls(harness, chat.id).length;
  harness.telegram.sendText({ chat, from, text });
  await harness.telegram.waitFor(() => botCalls(harness, chat.id).length > before);
  return botCalls(harness, chat.id)[before]?.params.text ?? '';
}

describe('MERCHANT_USER_IDS', () => {
  it('only the listed users issue; anyone else gets a one-line refusal and nothing is created', async () => {
    const group: TestChat = { id: -100_700_001, type: 'supergroup' };
    const before = h.smartypay.createdInvoices().length;
    expect(await say(h, group, CUSTOMER, '/pay 5 bUSDT')).toBe("Sorry, only this shop's merchants can do that.");
    const own: TestChat = { id: CUSTOMER.id, type: 'private' };
    expect(await say(h, own, CUSTOMER, '/pay 5 bUSDT')).toBe("Sorry, only this shop's merchants can do that.");
    expect(h.smartypay.createdInvoices()).toHaveLength(before);
    expect(await say(h, group, MERCHANT, '/pay 5 bUSDT')).toContain('Invoice');
    expect(h.smartypay.createdInvoices()).toHaveLength(before + 1);
    // The list decides alone: Telegram is not asked who the admins are (this group is not in MERCHANT_CHAT_IDS).
    expect(h.telegram.callsOf('getChatAdministrators').filter((call) => call.params.chat_id !== SHOP.id)).toEqual([]);
  });
});

describe('MERCHANT_CHAT_IDS (the rule itself: test/merchants/permissions.test.ts)', () => {
  it("a listed group's admins and anonymous admins issue there; elsewhere only the listed users", async () => {
    const shop = SHOP;
    const other: TestChat = { id: -100_700_003, type: 'supergroup' };
    const ADMIN = { id: 6161, first_name: 'Admin', language_code: 'en' };
    const before = h.smartypay.createdInvoices().length;
    h.telegram.setAdmins(shop.id, [ADMIN.id]);
    h.telegram.setAdmins(other.id, [ADMIN.id]);
    expect(await say(h, shop, CUSTOMER, '/pay 5 bUSDT')).toBe("Sorry, only this group's admins can do that.");
    expect(await say(h, shop, ADMIN, '/pay 5 bUSDT')).toContain('Invoice');
    expect(await say(h, other, ADMIN, '/pay 5 bUSDT')).toBe("Sorry, only this shop's merchants can do that.");
    expect(await say(h, { id: ADMIN.id, type: 'private' }, ADMIN, '/pay 5 bUSDT')).toBe(
      "Sorry, only this shop's merchants can do that.",
    );
    h.telegram.pushUpdate({
      message: {
        message_id: 900,
        date: Math.floor(Date.now() / 1000),
        chat: shop,
        from: { id: 1_087_968_824, is_bot: true, first_name: 'Group', username: 'GroupAnonymousBot' },
        sender_chat: shop,
        text: '/pay 3 bUSDT',
        entities: [{ type: 'bot_command', offset: 0, length: 4 }],
      },
    });
    await h.telegram.waitFor(() => botCalls(h as Harness, shop.id).length > 2);
    expect(botCalls(h, shop.id)[2]?.params.text).toContain('Invoice');
    expect(h.smartypay.createdInvoices()).toHaveLength(before + 2);
    // Only the listed group's admins were asked for.
    expect(h.telegram.callsOf('getChatAdministrators').map((call) => call.params.chat_id)).toEqual([shop.id]);
  });
});

describe('/pay rate limit', () => {
  it('refuses the (N+1)th invoice within a minute with a friendly message, and allows it a minute later', async () => {
    const chat: TestChat = { id: MERCHANT.id, type: 'private' };
    const before = h.smartypay.createdInvoices().length;
    expect(await say(h, chat, MERCHANT, '/pay 1 bUSDT')).toContain('Invoice');
    expect(await say(h, chat, MERCHANT, '/pay 2 bUSDT')).toContain('Invoice');
    expect(await say(h, chat, MERCHANT, '/pay 3 bUSDT')).toBe(
      "⏳ That's a lot of invoices: at most 2 a minute per person. Please try again in a minute.",
    );
    expect(h.smartypay.createdInvoices()).toHaveLength(before + 2);
    clock.advance(61_000);
    expect(await say(h, chat, MERCHANT, '/pay 3 bUSDT')).toContain('Invoice');
    expect(h.smartypay.createdInvoices()).toHaveLength(before + 3);
  });
});

describe('/lang', () => {
  it('sets the chat language for everyone, answers in it, and `auto` goes back to each user’s own', async () => {
    const group: TestChat = { id: -100_700_005, type: 'supergroup' };
    // Languages by their names, not their codes.
    expect(await say(h, group, MERCHANT, '/lang')).toBe(
      "This chat follows each person's Telegram language (yours: <b>English</b>). One for everybody: " +
        '<code>/lang en</code> or <code>/lang ru</code>.',
    );
    expect(await say(h, group, MERCHANT, '/lang ru')).toBe(
      'Готово: теперь в этом чате я говорю по-русски. Уже отправленные сообщения останутся как были.',
    );
    // An English-speaking customer now reads Russian in this chat.
    expect(await say(h, group, CUSTOMER, '/tokens')).toContain('<b>Принимаемые токены</b>');
    expect(await say(h, group, MERCHANT, '/lang')).toBe(
      'Язык этого чата — <b>Русский</b>. Изменить: <code>/lang en</code>, <code>/lang ru</code> или ' +
        '<code>/lang auto</code>, чтобы у каждого был язык его Telegram.',
    );
    // Invoices issued here are in Russian too, down to SMARTy Pay's checkout page.
    await say(h, group, MERCHANT, '/pay 5 bUSDT');
    const [row] = await h.db.select().from(invoices).where(eq(invoices.chatId, group.id));
    expect(row?.locale).toBe('ru');
    expect(new URL(row?.checkoutUrl ?? 'http://x').searchParams.get('lang')).toBe('ru');
    expect(await say(h, group, MERCHANT, '/lang auto')).toBe(
      "Done: I follow each person's Telegram language in this chat from now on. Messages already sent stay as they are.",
    );
    expect(await say(h, group, CUSTOMER, '/tokens')).toContain('<b>Accepted tokens</b>');
  });

  it('in a group only a merchant changes it; an unknown language gets the choices', async () => {
    const group: TestChat = { id: -100_700_006, type: 'supergroup' };
    expect(await say(h, group, CUSTOMER, '/lang ru')).toBe("Sorry, only this shop's merchants can do that.");
    expect(await say(h, group, MERCHANT, '/lang de')).toBe(
      "I don't know the language “de”. Languages: English, Русский — e.g. <code>/lang ru</code>",
    );
    expect(await say(h, group, { ...MERCHANT, language_code: 'ru' }, '/lang <b>')).toBe(
      'Я не знаю язык «&lt;b&gt;». Языки: English, Русский — например, <code>/lang ru</code>',
    );
    expect(await say(h, group, CUSTOMER, '/tokens')).toContain('<b>Accepted tokens</b>');
    // In their own private chat a customer picks their language (another customer: CUSTOMER's chat stays English).
    const reader = { ...CUSTOMER, id: 5152 };
    expect(await say(h, { id: reader.id, type: 'private' }, reader, '/lang ru')).toContain('Готово');
  });
});
