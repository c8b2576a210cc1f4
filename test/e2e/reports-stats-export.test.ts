import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoices } from '../../src/db/schema.js';
import { createTestClock } from '../support/clock.js';
import { MERCHANT, type TestChat, waitForInvoice, waitUntil } from '../support/flows.js';
import { type Harness, sendAndApply, startHarness } from '../support/harness.js';

// /stats and /export through the fakes; invoices reach their states by signed webhooks and by the
// reconciler at expiry, under a clock moved by hand.

const clock = createTestClock(Date.UTC(2026, 10, 1, 12, 0));
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const CUSTOMER = { id: 777, first_name: 'Customer', language_code: 'en' };
let h: Harness;
let nextChatId = -1_000_950;
const newGroup = (): TestChat => ({ id: --nextChatId, type: 'supergroup', title: 'Tea & <room>' });

beforeAll(async () => {
  h = await startHarness({
    now: clock.now,
    env: {
      RECHECK_INTERVAL_MS: '600000',
      RECHECK_MAX_PER_MINUTE: '1000',
      TELEGRAM_GROUP_CHAT_INTERVAL_MS: '0',
      TELEGRAM_PRIVATE_CHAT_INTERVAL_MS: '0',
    },
  });
});
afterAll(async () => {
  await h?.close();
});

/** Sends a command and returns the bot's reply to it (outbox confirmations may interleave). */
async function ask(chat: TestChat, text: string, from: { id: number; first_name: string; language_code?: string }) {
  const { message } = h.telegram.sendText({ chat, from, text });
  const answer = () => h.telegram.messages(chat.id).find((m) => m.reply_to_message_id === message.message_id);
  await h.telegram.waitFor(() => answer() !== undefined);
  return answer()?.text ?? '';
}

/** /pay as the merchant; unlike flows.issueInvoice, works for a chat's second invoice too. */
async function issueInvoice(_h: Harness, chat: TestChat, text: string) {
  const before = h.smartypay.createdInvoices().length;
  h.telegram.sendText({ chat, from: MERCHANT, text });
  await waitUntil(() => h.smartypay.createdInvoices().length > before, 5_000, `an invoice for ${text}`);
  const remote = h.smartypay.createdInvoices()[before];
  if (!remote) throw new Error('no invoice');
  const row = await waitForInvoice(h, remote.id, (r) => r.cardMessageId !== null);
  return { remote, row };
}

async function pay(chat: TestChat, command: string, status = 'Paid', paidAmount?: string) {
  const { remote } = await issueInvoice(h, chat, command);
  await sendAndApply(h, remote.id, { status, ...(paidAmount && { paidAmount }) });
  await waitForInvoice(h, remote.id, (r) => r.status === status);
}

describe('/stats', () => {
  it('counts created, paid, expired, conversion, and what arrived per token beside what was due, for 24 h, 7 days and all time', async () => {
    const chat = newGroup();
    // 12 days ago: one paid (10 bUSDT), one that expires.
    await pay(chat, '/pay 10 bUSDT');
    const { remote: lapsing } = await issueInvoice(h, chat, '/pay 99 bUSDT');
    clock.advance(61 * MINUTE);
    await h.app.workers.reconciler.tick();
    await waitForInvoice(h, lapsing.id, (r) => r.status === 'Expired');
    // 2 days ago: paid more than due in pUSDC (received counts what arrived: 3, not 2.5).
    clock.advance(10 * DAY);
    await pay(chat, '/pay 2.5 pUSDC', 'OverPaid', '3');
    // Now: two small paid ones whose sum is exact (0.1 + 0.2), one under-paid, one still open.
    clock.advance(2 * DAY);
    await pay(chat, '/pay 0.1 bUSDT');
    await pay(chat, '/pay 0.2 bUSDT', 'SimplePaid');
    await pay(chat, '/pay 7 bUSDT', 'UnderPaid', '1');
    await issueInvoice(h, chat, '/pay 1 pUSDC');
    // Another chat's invoices never count.
    await pay(newGroup(), '/pay 1000 bUSDT');

    expect(await ask(chat, '/stats', MERCHANT)).toBe(
      [
        '📊 <b>Invoices in this chat</b>',
        '',
        '<b>Last 24 hours</b>',
        'Created: 4 · paid: 2 · expired: 0',
        'Conversion: 50%',
        'Received: 1.3 bUSDT (due 7.3 bUSDT)',
        '',
        '<b>Last 7 days</b>',
        'Created: 5 · paid: 3 · expired: 0',
        'Conversion: 60%',
        'Received: 1.3 bUSDT (due 7.3 bUSDT), 3 pUSDC (due 2.5 pUSDC)',
        '',
        '<b>All time</b>',
        'Created: 7 · paid: 4 · expired: 1',
        'Conversion: 57.1%',
        'Received: 11.3 bUSDT (due 17.3 bUSDT), 3 pUSDC (due 2.5 pUSDC)',
      ].join('\n'),
    );
  });

  it('sums what SMARTy Pay reported by the token it was paid in, skipping text that is not a number', async () => {
    const chat = newGroup();
    // 17 arrived for 12: the old /stats said 12.
    await pay(chat, '/pay 12 bUSDT', 'OverPaid', '17');
    // Paid in another token than billed.
    const { remote } = await issueInvoice(h, chat, '/pay 5 pUSDC');
    await sendAndApply(h, remote.id, { status: 'Paid', extra: { paidAmount: '0.2125 btMNXe' } });
    await waitForInvoice(h, remote.id, (r) => r.paidToken === 'btMNXe');
    // Older rows as SMARTy Pay's text came: a Paid one counts its amount, an OverPaid one nothing it can't read.
    for (const [status, amount, paidAmount] of [
      ['Paid', '2', 'about 2'],
      ['OverPaid', '4', '4,5'],
    ] as const) {
      await h.db.insert(invoices).values({
        smartyPayId: `odd-${chat.id}-${status}`,
        chatId: chat.id,
        notifyChatId: chat.id,
        amount,
        token: 'bUSDT',
        status,
        paidAmount,
        checkoutUrl: 'https://x',
        createdAt: clock.now(),
        expiresAt: clock.now(),
      });
    }
    const received = (text: string) => text.split('\n').filter((line) => /^(Received|Получено):/.test(line));
    const expected = '19 bUSDT (due 18 bUSDT), 0.2125 btMNXe (due 0 btMNXe), 0 pUSDC (due 5 pUSDC)';
    expect(received(await ask(chat, '/stats', MERCHANT))).toEqual(Array(3).fill(`Received: ${expected}`));
    expect(received(await ask(chat, '/stats', { ...MERCHANT, language_code: 'ru' }))).toEqual(
      Array(3).fill(
        'Получено: 19 bUSDT (к оплате 18 bUSDT), 0,2125 btMNXe (к оплате 0 btMNXe), 0 pUSDC (к оплате 5 pUSDC)',
      ),
    );
  });

  it('shows zeros for a chat without invoices, in Russian for a Russian speaker', async () => {
    const text = await ask(newGroup(), '/stats', { ...MERCHANT, language_code: 'ru' });
    expect(text).toContain('<b>За 24 часа</b>\nСоздано: 0 · оплачено: 0 · истекло: 0\nКонверсия: 0\u00a0%');
    expect(text).toContain('Получено: пока ничего');
  });

  it('refuses a non-merchant', async () => {
    expect(await ask(newGroup(), '/stats', CUSTOMER)).toBe("Sorry, only this shop's merchants can do that.");
  });
});

describe('/export', () => {
  it('sends the chat’s invoices as CSV to the merchant privately and says so in the group', async () => {
    const chat = newGroup();
    const first = await issueInvoice(h, chat, '/pay 1,5 bUSDT =HYPERLINK("http://evil","x")');
    clock.advance(MINUTE);
    const second = await issueInvoice(h, chat, '/pay 2 pUSDC Чай, "с лимоном"');
    await issueInvoice(h, newGroup(), '/pay 3 bUSDT elsewhere');

    expect(await ask(chat, '/export', MERCHANT)).toBe('📄 I sent you the CSV in a private chat.');
    const doc = h.telegram.documents().at(-1);
    expect(doc?.chatId).toBe(MERCHANT.id);
    expect(doc?.fileName).toMatch(new RegExp(`^invoices-${chat.id}-\\d{4}-\\d\\d-\\d\\d\\.csv$`));
    expect(doc?.caption).toBe('Invoices of Tea &amp; &lt;room&gt;: 2, newest first.');
    expect(h.telegram.callsOf('sendDocument').at(-1)?.params.parse_mode).toBe('HTML'); // the escaped caption is HTML
    const content = doc?.content ?? Buffer.alloc(0);
    expect(content.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf])); // BOM: Excel reads UTF-8
    const lines = content.toString('utf8').slice(1).split('\r\n');
    expect(lines[0]).toBe(
      '"id","created_at","status","amount","token","description","paid_amount","paid_token","paid_at","expires_at","cancelled_at","issued_by_user_id","smartypay_id"',
    );
    expect(lines).toHaveLength(4); // header, two invoices, the final CRLF
    expect(lines[1]).toContain(`${second.row.id},"${second.row.createdAt.toISOString()}","Created","2","pUSDC",`);
    expect(lines[1]).toContain('"Чай, ""с лимоном"""');
    expect(lines[2]).toContain(`${first.row.id},`);
    expect(lines[2]).toContain(`,"1.5","bUSDT","'=HYPERLINK(""http://evil"",""x"")",`);
    expect(lines[2]).toContain(`,${MERCHANT.id},"${first.remote.id}"`);
  });

  it('asks the merchant to open a private chat first when Telegram answers 403', async () => {
    const chat = newGroup();
    await issueInvoice(h, chat, '/pay 1 bUSDT');
    const documents = h.telegram.documents().length;
    h.telegram.failNext('sendDocument', {
      status: 403,
      description: "Forbidden: bot can't initiate conversation with a user",
    });
    expect(await ask(chat, '/export', MERCHANT)).toBe(
      "I can't write to you privately yet. Open a private chat with me (https://t.me/test_bot), press Start, " +
        'then send /export here again.',
    );
    expect(h.telegram.documents()).toHaveLength(documents);
  });

  it('in a private chat just sends the file there, and says when a chat has nothing to export', async () => {
    const chat: TestChat = { id: MERCHANT.id, type: 'private' };
    expect(await ask(chat, '/export', MERCHANT)).toBe('No invoices in this chat yet, so there is nothing to export.');
    await issueInvoice(h, chat, '/pay 4 bUSDT');
    const before = h.telegram.messages(chat.id).length;
    const documents = h.telegram.documents().length;
    h.telegram.sendText({ chat, from: MERCHANT, text: '/export' });
    await h.telegram.waitFor(() => h.telegram.documents().length > documents);
    expect(h.telegram.documents().at(-1)?.chatId).toBe(chat.id);
    expect(h.telegram.documents().at(-1)?.caption).toBe('Invoices of private chat: 1, newest first.');
    expect(h.telegram.messages(chat.id)).toHaveLength(before); // the document is the whole answer
  });

  it('sends at most the newest 10 000 rows and says the file was cut', async () => {
    const chat = newGroup();
    await h.db.execute(sql`
      insert into invoices (smartypay_id, chat_id, notify_chat_id, pay_message_id, amount, token, status, checkout_url,
        created_at, expires_at)
      select 'bulk-' || n, ${chat.id}, ${chat.id}, n, '1', 'bUSDT', 'Expired', 'https://x',
        now() - n * interval '1 minute', now()
      from generate_series(1, 10001) as n`);
    expect(await ask(chat, '/export', MERCHANT)).toBe('📄 I sent you the CSV in a private chat.');
    const doc = h.telegram.documents().at(-1);
    expect(doc?.caption).toBe(
      'Invoices of Tea &amp; &lt;room&gt;: 10,000, newest first.\nOnly the newest 10,000 are included.',
    );
    const lines = doc?.content.toString('utf8').split('\r\n') ?? [];
    expect(lines).toHaveLength(10_002);
    expect(lines.at(-2)).toContain(',"bulk-10000"');
  });

  it('refuses a non-merchant and sends nothing', async () => {
    const chat = newGroup();
    await issueInvoice(h, chat, '/pay 1 bUSDT');
    const documents = h.telegram.documents().length;
    expect(await ask(chat, '/export', CUSTOMER)).toBe("Sorry, only this shop's merchants can do that.");
    expect(h.telegram.documents()).toHaveLength(documents);
  });
});
