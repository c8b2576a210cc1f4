import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { invoices } from '../../src/db/schema.js';
import { createTestClock } from '../support/clock.js';
import { botCalls, MERCHANT, type TestChat } from '../support/flows.js';
import { type Harness, startHarness } from '../support/harness.js';

// Who may issue invoices, how fast, and in which language the bot answers a chat.

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const CUSTOMER = { id: 5151, first_name: 'Customer', language_code: 'en' };

/** Sends `text` as `from` and returns the bot's next message in that chat. */
async function say(harness: Harness, chat: TestChat, from: typeof MERCHANT, text: string): Promise<string> {
  const before = botCalls(harness, chat.id).length;
  harness.telegram.sendText({ chat, from, text });
  await harness.telegram.waitFor(() => botCalls(harness, chat.id).length > before);
  return botCalls(harness, chat.id)[before]?.params.text ?? '';
}

describe('MERCHANT_USER_IDS', () => {
  it('only the listed users issue; anyone else gets a one-line refusal and nothing is created', async () => {
    h = await startHarness({ env: { MERCHANT_USER_IDS: `${MERCHANT.id}, 777` } });
    const group: TestChat = { id: -100_700_001, type: 'supergroup' };
    expect(await say(h, group, CUSTOMER, '/pay 5 bUSDT')).toBe("Sorry, only this shop's merchants can do that.");
    const own: TestChat = { id: CUSTOMER.id, type: 'private' };
    expect(await say(h, own, CUSTOMER, '/pay 5 bUSDT')).toBe("Sorry, only this shop's merchants can do that.");
    expect(h.smartypay.createdInvoices()).toHaveLength(0);
    expect(await say(h, group, MERCHANT, '/pay 5 bUSDT')).toContain('Invoice');
    expect(h.smartypay.createdInvoices()).toHaveLength(1);
    // The list decides alone: Telegram is not asked who the admins are.
    expect(h.telegram.callsOf('getChatAdministrators')).toHaveLength(0);
  });
});

describe('without MERCHANT_USER_IDS', () => {
  it('in a group only administrators issue; the admin list is asked once and cached', async () => {
    h = await startHarness({ env: { MERCHANT_USER_IDS: '' } });
    const group: TestChat = { id: -100_700_002, type: 'supergroup' };
    h.telegram.setAdmins(group.id, [MERCHANT.id]);
    expect(await say(h, group, CUSTOMER, '/pay 5 bUSDT')).toBe("Sorry, only this group's admins can do that.");
    expect(await say(h, group, MERCHANT, '/pay 5 bUSDT')).toContain('Invoice');
    expect(await say(h, group, MERCHANT, '/pay 6 bUSDT')).toContain('Invoice');
    expect(h.smartypay.createdInvoices()).toHaveLength(2);
    expect(h.telegram.callsOf('getChatAdministrators')).toHaveLength(1);
  });

  it('an anonymous admin (writing as the group) may issue', async () => {
    h = await startHarness({ env: { MERCHANT_USER_IDS: '' } });
    const group = { id: -100_700_003, type: 'supergroup', title: 'Shop' };
    h.telegram.pushUpdate({
      message: {
        message_id: 10,
        date: Math.floor(Date.now() / 1000),
        chat: group,
        from: { id: 1_087_968_824, is_bot: true, first_name: 'Group', username: 'GroupAnonymousBot' },
        sender_chat: group,
        text: '/pay 3 bUSDT',
        entities: [{ type: 'bot_command', offset: 0, length: 4 }],
      },
    });
    await h.telegram.waitFor(() => botCalls(h as Harness, group.id).length > 0);
    expect(botCalls(h, group.id)[0]?.params.text).toContain('Invoice');
  });

  it('when Telegram cannot say who the admins are, nobody issues (fail closed) and the next try asks again', async () => {
    h = await startHarness({ env: { MERCHANT_USER_IDS: '' } });
    const group: TestChat = { id: -100_700_004, type: 'supergroup' };
    h.telegram.setAdmins(group.id, [MERCHANT.id]);
    h.telegram.failNext('getChatAdministrators', { status: 500, description: 'Internal Server Error' });
    expect(await say(h, group, MERCHANT, '/pay 5 bUSDT')).toBe("Sorry, only this group's admins can do that.");
    expect(await say(h, group, MERCHANT, '/pay 5 bUSDT')).toContain('Invoice');
    expect(h.telegram.callsOf('getChatAdministrators')).toHaveLength(2);
  });

  it('in a private chat anyone issues (it is their own shop)', async () => {
    h = await startHarness({ env: { MERCHANT_USER_IDS: '' } });
    expect(await say(h, { id: CUSTOMER.id, type: 'private' }, CUSTOMER, '/pay 5 bUSDT')).toContain('Invoice');
  });
});

describe('/pay rate limit', () => {
  it('refuses the (N+1)th invoice within a minute with a friendly message, and allows it a minute later', async () => {
    const clock = createTestClock();
    h = await startHarness({ env: { PAY_RATE_LIMIT_PER_MINUTE: '2' }, now: clock.now });
    const chat: TestChat = { id: MERCHANT.id, type: 'private' };
    expect(await say(h, chat, MERCHANT, '/pay 1 bUSDT')).toContain('Invoice');
    expect(await say(h, chat, MERCHANT, '/pay 2 bUSDT')).toContain('Invoice');
    expect(await say(h, chat, MERCHANT, '/pay 3 bUSDT')).toBe(
      "⏳ That's a lot of invoices: at most 2 a minute per person. Please try again in a minute.",
    );
    expect(h.smartypay.createdInvoices()).toHaveLength(2);
    clock.advance(61_000);
    expect(await say(h, chat, MERCHANT, '/pay 3 bUSDT')).toContain('Invoice');
    expect(h.smartypay.createdInvoices()).toHaveLength(3);
  });
});

describe('/lang', () => {
  it('sets the chat language for everyone, answers in it, and `auto` goes back to each user’s own', async () => {
    h = await startHarness();
    const group: TestChat = { id: -100_700_005, type: 'supergroup' };
    expect(await say(h, group, MERCHANT, '/lang')).toContain('follows each person');
    expect(await say(h, group, MERCHANT, '/lang ru')).toBe(
      'Готово: в этом чате я говорю по-русски, включая сообщения об оплате.',
    );
    // An English-speaking customer now reads Russian in this chat.
    expect(await say(h, group, CUSTOMER, '/tokens')).toContain('<b>Принимаемые токены</b>');
    expect(await say(h, group, MERCHANT, '/lang')).toContain('<b>ru</b>');
    // Invoices issued here are in Russian too, down to SMARTy Pay's checkout page.
    await say(h, group, MERCHANT, '/pay 5 bUSDT');
    const [row] = await h.db.select().from(invoices).where(eq(invoices.chatId, group.id));
    expect(row?.locale).toBe('ru');
    expect(new URL(row?.checkoutUrl ?? 'http://x').searchParams.get('lang')).toBe('ru');
    expect(await say(h, group, MERCHANT, '/lang auto')).toBe(
      "Done: I'll follow each person's Telegram language in this chat.",
    );
    expect(await say(h, group, CUSTOMER, '/tokens')).toContain('<b>Accepted tokens</b>');
  });

  it('in a group only a merchant changes it; an unknown language gets the choices', async () => {
    h = await startHarness();
    const group: TestChat = { id: -100_700_006, type: 'supergroup' };
    expect(await say(h, group, CUSTOMER, '/lang ru')).toBe("Sorry, only this shop's merchants can do that.");
    expect(await say(h, group, MERCHANT, '/lang de')).toContain('I speak en, ru.');
    expect(await say(h, group, CUSTOMER, '/tokens')).toContain('<b>Accepted tokens</b>');
    // In their own private chat a customer picks their language.
    expect(await say(h, { id: CUSTOMER.id, type: 'private' }, CUSTOMER, '/lang ru')).toContain('Готово');
  });
});
