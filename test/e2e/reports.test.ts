import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoices } from '../../src/db/schema.js';
import type { InvoiceStatus } from '../../src/db/vocabulary.js';
import { createTestClock } from '../support/clock.js';
import { issueInvoice, MERCHANT, type TestChat, waitForInvoice } from '../support/flows.js';
import { type Harness, sendAndApply, startHarness } from '../support/harness.js';

// /status and /invoices through the fake Bot API: what the chat sees, paging edits, refusals.

const clock = createTestClock(Date.UTC(2026, 10, 26, 8, 20));
const MINUTE = 60_000;
const CUSTOMER = { id: 777, first_name: 'Customer', language_code: 'en' };
let h: Harness;
let nextChatId = -1_000_900;
const newGroup = (): TestChat => ({ id: --nextChatId, type: 'supergroup', title: 'Tea room' });

beforeAll(async () => {
  h = await startHarness({ now: clock.now, env: { RECHECK_INTERVAL_MS: '600000' } });
});
afterAll(async () => {
  await h?.close();
});

/** Sends a command and waits for the bot's next message in that chat. */
async function ask(chat: TestChat, text: string, opts: { from?: typeof MERCHANT; replyTo?: number } = {}) {
  const before = h.telegram.messages(chat.id).length;
  h.telegram.sendText({ chat, from: opts.from ?? MERCHANT, text, replyTo: opts.replyTo });
  await h.telegram.waitFor(() => h.telegram.messages(chat.id).length > before);
  return h.telegram.messages(chat.id)[before] as ReturnType<Harness['telegram']['messages']>[number];
}

async function insertInvoice(chatId: number, n: number, values: Partial<typeof invoices.$inferInsert> = {}) {
  const [row] = await h.db
    .insert(invoices)
    .values({
      smartyPayId: `sp-list-${chatId}-${n}`,
      chatId,
      notifyChatId: chatId,
      payMessageId: n,
      amount: `${n}.5`,
      token: 'bUSDT',
      status: 'Created',
      checkoutUrl: `https://checkout.example/${n}`,
      createdAt: clock.now(),
      expiresAt: new Date(clock.now().getTime() + 60 * MINUTE),
      ...values,
    })
    .returning();
  if (!row) throw new Error('no row');
  return row;
}

describe('/status', () => {
  it('shows an open invoice by number, with times and the checkout button, to anyone in the chat', async () => {
    const chat = newGroup();
    const { row } = await issueInvoice(h, chat, '/pay 12,5 bUSDT Tea & <cake>');
    const answer = await ask(chat, `/status ${row.id}`, { from: CUSTOMER });
    expect(answer.text).toBe(
      [
        `🧾 <b>Invoice #${row.id}</b>`,
        '<b>12.5 bUSDT</b>',
        'Status: 🕓 Waiting for payment',
        'Created: 26 Nov 2026, 08:20 UTC',
        'Expires: 26 Nov 2026, 09:20 UTC',
        'For: <i>“Tea &amp; &lt;cake&gt;”</i>',
      ].join('\n'),
    );
    expect(answer.reply_markup.inline_keyboard).toEqual([[{ text: '💳 Pay 12.5 bUSDT', url: row.checkoutUrl }]]);
  });

  it('answers a reply to the card; once paid it shows what arrived and when, without the button', async () => {
    const chat = newGroup();
    const { row, remote } = await issueInvoice(h, chat, '/pay 5 pUSDC');
    clock.advance(3 * MINUTE);
    await sendAndApply(h, remote.id, {
      status: 'OverPaid',
      paidAmount: '5.25',
      extra: { paidAt: clock.now().toISOString() },
    });
    await waitForInvoice(h, remote.id, (r) => r.status === 'OverPaid');
    // Let the payment confirmation go out first, so the next message in the chat is the answer.
    await h.telegram.waitFor(() => h.telegram.messages(chat.id).length === 2);
    const answer = await ask(chat, '/status', { from: CUSTOMER, replyTo: row.cardMessageId ?? 0 });
    expect(answer.text).toContain('Status: ✅ Paid (more than due)');
    expect(answer.text).toContain('Received: <b>5.25 pUSDC</b>');
    expect(answer.text).toMatch(/Paid: 26 Nov 2026, \d\d:\d\d UTC/);
    expect(answer.reply_markup).toBeUndefined();
    // Replying to the /pay message itself works too.
    const again = await ask(chat, '/status', { replyTo: row.payMessageId ?? 0 });
    expect(again.text).toContain(`Invoice #${row.id}`);
  });

  it("does not show another chat's invoice, and explains its usage", async () => {
    const mine = newGroup();
    const other = newGroup();
    const { row } = await issueInvoice(h, other, '/pay 9 bUSDT secret');
    expect((await ask(mine, `/status ${row.id}`)).text).toBe(`There is no invoice #${row.id} in this chat.`);
    const usage = 'Which invoice? Send <code>/status 12</code>, or reply <code>/status</code> to its card.';
    expect((await ask(mine, '/status')).text).toBe(usage);
    expect((await ask(mine, '/status twelve')).text).toBe(usage);
    expect((await ask(mine, '/status twelve', { from: { ...CUSTOMER, language_code: 'ru' } })).text).toBe(
      'Какой счёт? Отправьте <code>/status 12</code> или ответьте <code>/status</code> на его карточку.',
    );
    const notCard = await ask(mine, '/status', { replyTo: 1 });
    expect(notCard.text).toBe(
      'That message is not an invoice of this chat. Reply to the invoice card, or send /status with the invoice number.',
    );
  });

  it('speaks Russian to a Russian-speaking user', async () => {
    const chat = newGroup();
    const { row } = await issueInvoice(h, chat, '/pay 3.75 bUSDT Кофе');
    const answer = await ask(chat, `/status #${row.id}`, { from: { ...CUSTOMER, language_code: 'ru' } });
    expect(answer.text).toBe(
      [
        `🧾 <b>Счёт №${row.id}</b>`,
        '<b>3,75 bUSDT</b>',
        'Статус: 🕓 Ожидает оплаты',
        `Создан: ${row.createdAt.getUTCDate()} нояб. 2026, ${hhmm(row.createdAt)} UTC`,
        `Истекает: ${row.expiresAt.getUTCDate()} нояб. 2026, ${hhmm(row.expiresAt)} UTC`,
        'За: <i>«Кофе»</i>',
      ].join('\n'),
    );
    expect(answer.reply_markup.inline_keyboard[0][0].text).toBe('💳 Оплатить 3,75 bUSDT');
  });
});

const hhmm = (d: Date) => `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;

describe('/invoices', () => {
  it('lists the newest 10 with amount, status and age, and pages in place with the buttons', async () => {
    const chat = newGroup();
    const now = clock.now().getTime();
    const rows = [];
    // 12 invoices, oldest first: 12 days … 1 day old, then hours, then minutes.
    const ages = [12 * 1440, 11 * 1440, 3 * 1440, 2 * 1440 + 5, 1440, 23 * 60, 3 * 60, 61, 59, 5, 1, 0];
    for (const [i, age] of ages.entries()) {
      rows.push(await insertInvoice(chat.id, i + 1, { createdAt: new Date(now - age * MINUTE) }));
    }
    await h.db.update(invoices).set({ status: 'Cancelled' }).where(eqId(rows[11]?.id));
    // A status this build does not know (written by a newer build, then rolled back) is shown by its name.
    await h.db
      .update(invoices)
      .set({ status: 'Refunded' as InvoiceStatus })
      .where(eqId(rows[10]?.id));

    const first = await ask(chat, '/invoices');
    const lines = first.text.split('\n');
    expect(lines[0]).toBe('🧾 <b>Invoices in this chat</b>: 1–10 of 12, newest first');
    expect(lines.slice(2, 12)).toEqual([
      `#${rows[11]?.id} · 12.5 bUSDT · 🚫 Cancelled · 0 min`,
      `#${rows[10]?.id} · 11.5 bUSDT · ❔ Refunded · 1 min`,
      `#${rows[9]?.id} · 10.5 bUSDT · 🕓 Waiting for payment · 5 min`,
      `#${rows[8]?.id} · 9.5 bUSDT · 🕓 Waiting for payment · 59 min`,
      `#${rows[7]?.id} · 8.5 bUSDT · 🕓 Waiting for payment · 1 h`,
      `#${rows[6]?.id} · 7.5 bUSDT · 🕓 Waiting for payment · 3 h`,
      `#${rows[5]?.id} · 6.5 bUSDT · 🕓 Waiting for payment · 23 h`,
      `#${rows[4]?.id} · 5.5 bUSDT · 🕓 Waiting for payment · 1 d`,
      `#${rows[3]?.id} · 4.5 bUSDT · 🕓 Waiting for payment · 2 d`,
      `#${rows[2]?.id} · 3.5 bUSDT · 🕓 Waiting for payment · 3 d`,
    ]);
    expect(first.reply_markup.inline_keyboard).toEqual([[{ text: 'Older ›', callback_data: 'v1:inv:10' }]]);

    await h.telegram.tapButton({
      from: MERCHANT,
      data: 'v1:inv:10',
      chatId: chat.id,
      messageId: first.message_id,
    });
    const paged = h.telegram.messages(chat.id).find((m) => m.message_id === first.message_id);
    expect(h.telegram.messages(chat.id)).toHaveLength(1); // edited in place, nothing new sent
    expect(paged?.edits).toBe(1);
    expect(paged?.text.split('\n').slice(0, 4)).toEqual([
      '🧾 <b>Invoices in this chat</b>: 11–12 of 12, newest first',
      '',
      `#${rows[1]?.id} · 2.5 bUSDT · 🕓 Waiting for payment · 11 d`,
      `#${rows[0]?.id} · 1.5 bUSDT · 🕓 Waiting for payment · 12 d`,
    ]);
    expect(paged?.reply_markup.inline_keyboard).toEqual([[{ text: '‹ Newer', callback_data: 'v1:inv:0' }]]);

    // A stale button past the end shows the last page; a repeated tap of the same page is still answered.
    const stale = await h.telegram.tapButton({
      from: MERCHANT,
      data: 'v1:inv:90',
      chatId: chat.id,
      messageId: first.message_id,
    });
    expect(stale?.text).toBeUndefined();
    expect(h.telegram.messages(chat.id)[0]?.edits).toBe(1);
  });

  it('writes amounts with the decimal comma for a Russian reader, overpaid in the words of the card', async () => {
    const chat = newGroup();
    const row = await insertInvoice(chat.id, 3, { status: 'OverPaid', paidAmount: '3.6', paidToken: 'bUSDT' });
    const list = await ask(chat, '/invoices', { from: { ...MERCHANT, language_code: 'ru' } });
    expect(list.text.split('\n')[2]).toBe(`№${row.id} · 3,5 bUSDT · ✅ Оплачен с переплатой · 0 мин`);
  });

  it('says so when the chat has no invoices', async () => {
    expect((await ask(newGroup(), '/invoices')).text).toBe('No invoices in this chat yet. Create one with /pay.');
  });

  it('refuses a non-merchant, for the command and for a page button', async () => {
    const chat = newGroup();
    for (let i = 1; i <= 11; i++) await insertInvoice(chat.id, 100 + i);
    const refusal = await ask(chat, '/invoices', { from: CUSTOMER });
    expect(refusal.text).toBe("Sorry, only this shop's merchants can do that.");
    const list = await ask(chat, '/invoices');
    const tap = await h.telegram.tapButton({
      from: CUSTOMER,
      data: 'v1:inv:10',
      chatId: chat.id,
      messageId: list.message_id,
    });
    expect(tap).toMatchObject({
      text: "Sorry, only this shop's merchants can do that.",
      show_alert: true,
    });
    expect(h.telegram.messages(chat.id).find((m) => m.message_id === list.message_id)?.edits).toBe(0);
  });
});

function eqId(id: number | undefined) {
  return eq(invoices.id, id ?? -1);
}
