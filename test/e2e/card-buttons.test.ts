import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatSettings, invoices } from '../../src/db/schema.js';
import { createTestClock } from '../support/clock.js';
import { botCalls, issueInvoice, MERCHANT, type TestChat, waitForInvoice } from '../support/flows.js';
import { type Harness, sendAndApply, settle, startHarness } from '../support/harness.js';

// The invoice card's buttons through the fakes: "Check status" (anyone, throttled per invoice, signed GET at
// SMARTy Pay) and "Issue again" on an expired card (merchants, idempotent). The clock is frozen and moved by hand.

const clock = createTestClock();
let h: Harness;
let nextChatId = -1_005_000;
const newGroup = (): TestChat => ({ id: --nextChatId, type: 'supergroup', title: 'Shop' });
const CUSTOMER = { id: 777, first_name: 'Customer', language_code: 'en' };
const MINUTE = 60_000;

beforeAll(async () => {
  h = await startHarness({
    now: clock.now,
    env: { RECHECK_INTERVAL_MS: '600000', TELEGRAM_GROUP_CHAT_INTERVAL_MS: '0' },
  });
});
afterAll(async () => {
  await h?.close();
});

const gets = (smartyPayId: string) =>
  h.smartypay.requests.filter((r) => r.method === 'GET' && r.path === `/integration/invoices/${smartyPayId}`);
const buttonsOf = (markup: any): any[] => markup?.inline_keyboard.flat() ?? [];

async function tap(chat: TestChat, messageId: number, data: string, from = CUSTOMER) {
  return h.telegram.tapButton({ from, data, chatId: chat.id, messageId });
}

describe('Check status', () => {
  it('re-checks SMARTy Pay for anyone, at most once per 10 s per invoice, and updates the card when paid', async () => {
    const chat = newGroup();
    const { card, remote, row } = await issueInvoice(h, chat, '/pay 5 bUSDT Tea');
    expect(card.params.text).toContain(`Invoice #${row.id}`);
    const [pay, check] = buttonsOf(card.params.reply_markup);
    expect(pay.url).toContain(remote.id);
    expect(check).toEqual({ text: '🔄 Check status', callback_data: `v1:chk:${row.id}` });

    const cardId = row.cardMessageId as number;
    expect(card.params.text).toContain('(in 60 min)');
    clock.advance(MINUTE);
    expect((await tap(chat, cardId, check.callback_data)).text).toBe('⏳ Still waiting for the payment.');
    expect(gets(remote.id)).toHaveLength(1);
    expect(gets(remote.id)[0]?.status).toBe(200); // signed: the fake checks x-api-sig
    // Still open: the card is refreshed in place, its countdown current, its buttons kept.
    const refreshed = h.telegram.messages(chat.id).find((m) => m.message_id === cardId);
    expect(refreshed?.text).toContain('(in 59 min)');
    expect(buttonsOf(refreshed?.reply_markup)).toEqual([pay, check]);
    expect(botCalls(h, chat.id, 'editMessageText')).toHaveLength(1);
    expect(botCalls(h, chat.id, 'editMessageText')[0]?.params.parse_mode).toBe('HTML');

    // A second tap within 10 s is answered without asking SMARTy Pay (and without touching the card).
    clock.advance(9_000);
    expect((await tap(chat, cardId, check.callback_data)).text).toBe(
      'Checked a moment ago. Try again in a few seconds.',
    );
    expect(gets(remote.id)).toHaveLength(1);
    expect(botCalls(h, chat.id, 'editMessageText')).toHaveLength(1);

    // The customer paid and the webhook was lost: the next tap finds it.
    h.smartypay.setStatus(remote.id, 'Paid', '5');
    clock.advance(2_000);
    expect((await tap(chat, cardId, check.callback_data)).text).toBe('✅ Paid.');
    expect(gets(remote.id)).toHaveLength(2);
    await h.telegram.waitFor(
      () => botCalls(h, chat.id).length === 2 && botCalls(h, chat.id, 'editMessageText').length === 2,
      10_000,
    );
    const edit = botCalls(h, chat.id, 'editMessageText')[1];
    expect(edit?.params.message_id).toBe(cardId);
    expect(edit?.params.parse_mode).toBe('HTML'); // the outbox's own Api
    expect(edit?.params.text).toContain(`Paid</b> · invoice #${row.id}`);
    expect(edit?.params.reply_markup).toBeUndefined();
    expect(botCalls(h, chat.id)[1]?.params.text).toContain('Payment received: <b>5 bUSDT</b> for <i>“Tea”</i>.');
    expect((await waitForInvoice(h, remote.id, (r) => r.status === 'Paid')).statusCheckedAt).toBeInstanceOf(Date);
  });

  it('answers a tap with an apology when SMARTy Pay fails, and a forged invoice id from another chat as unknown', async () => {
    const chat = newGroup();
    const { row } = await issueInvoice(h, chat, '/pay 2 bUSDT');
    clock.advance(MINUTE);
    h.smartypay.failNext('GET', 503);
    const cardId = row.cardMessageId as number;
    expect((await tap(chat, cardId, `v1:chk:${row.id}`)).text).toContain('SMARTy Pay did not answer');

    const other = newGroup();
    const foreign = await issueInvoice(h, other, '/pay 3 bUSDT');
    expect((await tap(chat, cardId, `v1:chk:${foreign.row.id}`)).text).toBe('This invoice is not in this chat.');
  });
});

describe('Issue again', () => {
  it('on expiry offers "Issue again"; a merchant double tap issues exactly one new invoice with the same terms', async () => {
    const chat = newGroup();
    const { row, remote } = await issueInvoice(h, chat, '/pay 7.5 pUSDC Cake & tea');
    clock.advance(60 * MINUTE);
    await h.app.workers.reconciler.tick();
    await waitForInvoice(h, remote.id, (r) => r.status === 'Expired');
    await h.telegram.waitFor(() => botCalls(h, chat.id, 'editMessageText').length === 1, 10_000);
    const expiredCard = botCalls(h, chat.id, 'editMessageText')[0];
    expect(expiredCard?.params.text).toContain(`Expired</b> · invoice #${row.id}`);
    const buttons = buttonsOf(expiredCard?.params.reply_markup);
    expect(buttons).toEqual([{ text: '🔁 Issue again', callback_data: `v1:again:${row.id}` }]);
    const cardId = row.cardMessageId as number;

    // A customer may not issue invoices: refused with an alert, nothing created.
    const before = h.smartypay.createdInvoices().length;
    const refused = await tap(chat, cardId, `v1:again:${row.id}`);
    expect(refused).toMatchObject({ show_alert: true });
    expect(refused.text).toBeTruthy();
    expect(h.smartypay.createdInvoices()).toHaveLength(before);

    const first = h.telegram.pressButton({
      from: MERCHANT,
      data: `v1:again:${row.id}`,
      chatId: chat.id,
      messageId: cardId,
    });
    const second = h.telegram.pressButton({
      from: MERCHANT,
      data: `v1:again:${row.id}`,
      chatId: chat.id,
      messageId: cardId,
    });
    await h.telegram.waitFor(() => !!h.telegram.callbackAnswer(first) && !!h.telegram.callbackAnswer(second));
    expect(h.smartypay.createdInvoices()).toHaveLength(before + 1);
    const rows = await h.db.select().from(invoices).where(eq(invoices.chatId, chat.id)).orderBy(invoices.id);
    expect(rows).toHaveLength(2);
    const fresh = rows[1];
    expect(fresh).toMatchObject({
      token: 'pUSDC',
      description: 'Cake & tea',
      status: 'Created',
      // Linked to the invoice it replaces; it answers no /pay message of its own.
      payMessageId: null,
      reissueOfInvoiceId: row.id,
      issuedByUserId: MERCHANT.id,
    });
    expect(Number(fresh?.amount)).toBe(7.5);
    expect(h.smartypay.createdInvoices().at(-1)).toMatchObject({ amount: '7.5', token: 'pUSDC' });
    const answers = [h.telegram.callbackAnswer(first)?.text, h.telegram.callbackAnswer(second)?.text].sort();
    expect(answers).toEqual(['A new invoice was already issued for this one.', `🧾 New invoice #${fresh?.id} issued.`]);

    // The new card replies to the expired one, with its own number, Pay and Check status.
    // The card goes through the outbox: drain it, then exactly one new card was sent.
    await settle(h.app);
    const newCard = botCalls(h, chat.id)[1];
    expect(botCalls(h, chat.id)).toHaveLength(2);
    expect(newCard?.params.reply_parameters.message_id).toBe(cardId);
    expect(newCard?.params.text).toContain(`Invoice #${fresh?.id}`);
    expect(newCard?.params.text).toContain('7.5 pUSDC');
    expect(buttonsOf(newCard?.params.reply_markup).map((b) => b.callback_data ?? 'url')).toEqual([
      'url',
      `v1:chk:${fresh?.id}`,
    ]);
    await waitForInvoice(h, fresh?.smartyPayId as string, (r) => r.cardMessageId !== null);

    // A reply to the expired card means that card's invoice.
    h.telegram.sendText({ chat, from: MERCHANT, text: '/status', replyTo: cardId });
    await h.telegram.waitFor(() => botCalls(h, chat.id).length === 3, 10_000);
    expect(botCalls(h, chat.id)[2]?.params.text).toContain(`<b>Invoice #${row.id}</b>`);
  });
});

describe('languages', () => {
  it('renders the card in the merchant’s language and payment texts in the chat’s /lang at send time', async () => {
    const chat = newGroup();
    const russian = { ...MERCHANT, language_code: 'ru' };
    h.telegram.sendText({ chat, from: russian, text: '/pay 5 bUSDT Кофе' });
    await h.telegram.waitFor(() => botCalls(h, chat.id).length === 1, 10_000);
    const card = botCalls(h, chat.id)[0];
    expect(card?.params.text).toContain('🧾 <b>Счёт №');
    expect(card?.params.text).toContain('За: <i>«Кофе»</i>');
    expect(buttonsOf(card?.params.reply_markup).map((b) => b.text)).toEqual([
      '💳 Оплатить 5 bUSDT',
      '🔄 Проверить статус',
    ]);
    const [row] = await h.db.select().from(invoices).where(eq(invoices.chatId, chat.id));
    expect(row?.locale).toBe('ru');
    await sendAndApply(h, row?.smartyPayId as string, { status: 'Paid' });
    await h.telegram.waitFor(() => botCalls(h, chat.id).length === 2, 10_000);
    expect(botCalls(h, chat.id)[1]?.params.text).toBe('✅ Оплата получена: <b>5 bUSDT</b> за <i>«Кофе»</i>.');

    // An English invoice in a chat set to Russian afterwards: the chat's choice wins when the text is sent.
    const english = newGroup();
    const issued = await issueInvoice(h, english, '/pay 4 bUSDT');
    await h.db.insert(chatSettings).values({ chatId: english.id, locale: 'ru' });
    await sendAndApply(h, issued.remote.id, { status: 'UnderPaid', paidAmount: '1' });
    await h.telegram.waitFor(() => botCalls(h, english.id).length === 2, 10_000);
    expect(botCalls(h, english.id)[1]?.params.text).toBe(
      '⚠️ Частичная оплата: получено <b>1 bUSDT</b> из <b>4 bUSDT</b>, не хватает 3 bUSDT.\n' +
        'Покупатель может доплатить кнопкой «Доплатить» на карточке; я подтвержу здесь, когда придёт остаток.',
    );
    // …but the card, sent in English, is edited in English: a sent message is never rewritten in another language.
    await h.telegram.waitFor(() => botCalls(h, english.id, 'editMessageText').length === 1, 10_000);
    const edit = botCalls(h, english.id, 'editMessageText')[0]?.params;
    expect(edit?.text).toBe(
      [`⚠️ <b>Partly paid</b> · invoice #${issued.row.id}`, '<b>4 bUSDT</b>', 'Received: <b>1 bUSDT</b>'].join('\n'),
    );
    expect(buttonsOf(edit?.reply_markup).map((b) => b.text)).toEqual([
      '💳 Pay the remaining 3 bUSDT',
      '🔄 Check status',
    ]);
  });
});
