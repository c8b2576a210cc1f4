import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inlineDrafts, inlineOffers, invoices } from '../../src/db/schema.js';
import { createTestClock } from '../support/clock.js';
import { botCalls, MERCHANT, outboxRowsOf, waitForInvoice, waitUntil } from '../support/flows.js';
import { type Harness, sendAndApply, startHarness } from '../support/harness.js';

// Inline mode through the fake Bot API: `@test_bot 10 bUSDT coffee` typed in a chat the bot is not in.

const clock = createTestClock();
let h: Harness;
let nextCustomerId = 90_000;
const customer = (language_code = 'en') => ({ id: ++nextCustomerId, first_name: 'Customer', language_code });

beforeAll(async () => {
  h = await startHarness({
    now: clock.now,
    // Re-checks run when a test ticks the reconciler; the issuer's private chat is not paced.
    env: { RECHECK_INTERVAL_MS: '600000', TELEGRAM_PRIVATE_CHAT_INTERVAL_MS: '0' },
  });
});
afterAll(async () => {
  await h?.close();
});

async function ask(query: string, from: { id: number; language_code?: string } = MERCHANT) {
  const queryId = h.telegram.inlineQuery({ from, query });
  await h.telegram.waitFor(() => h.telegram.inlineResults(queryId) !== undefined);
  const call = h.telegram.callsOf('answerInlineQuery').find((c) => c.params.inline_query_id === queryId);
  return { queryId, results: h.telegram.inlineResults(queryId) ?? [], params: call?.params ?? {} };
}

/** The bot's editMessageText calls aimed at one inline message (grammY's editMessageTextInline). */
function inlineEdits(inlineMessageId: string) {
  return h.telegram.callsOf('editMessageText').filter((c) => c.params.inline_message_id === inlineMessageId);
}

describe('inline mode', () => {
  it('asks Telegram for inline queries and chosen results', async () => {
    await h.telegram.waitFor(() => h.telegram.callsOf('getUpdates').length > 0);
    expect(h.telegram.callsOf('getUpdates').at(-1)?.params.allowed_updates).toEqual(
      expect.arrayContaining(['message', 'callback_query', 'inline_query', 'chosen_inline_result']),
    );
  });

  it('answers each keystroke with one preview and makes no SMARTy Pay invoice', async () => {
    const before = h.smartypay.createdInvoices().length;
    for (const query of ['1', '10', '10 bUSDT', '10 bUSDT cof']) await ask(query);
    const { results, params } = await ask('10 busdt Coffee & <cake>');

    expect(results).toHaveLength(1);
    expect(params).toMatchObject({ is_personal: true });
    expect(params.cache_time).toBeLessThanOrEqual(10);
    const [result] = results;
    expect(result.title).toBe('Invoice: 10 bUSDT');
    expect(result.input_message_content.message_text).toBe(
      '🧾 <b>Invoice</b>\n<b>10 bUSDT</b>\nFor: <i>“Coffee &amp; &lt;cake&gt;”</i>\n\nTap Pay to get the payment link.',
    );
    expect(result.input_message_content.parse_mode).toBe('HTML');
    const [button] = result.reply_markup.inline_keyboard.flat();
    expect(button).toEqual({ text: '💳 Pay 10 bUSDT', callback_data: `v1:ipay:${result.id}` });
    expect(Buffer.byteLength(button.callback_data)).toBeLessThanOrEqual(64);

    expect(h.smartypay.createdInvoices()).toHaveLength(before);
    const [draft] = await h.db.select().from(inlineDrafts).where(eq(inlineDrafts.id, result.id));
    expect(draft).toMatchObject({ userId: MERCHANT.id, token: 'bUSDT', description: 'Coffee & <cake>' });
    // The same query again offers the same (still unposted) draft, still without an invoice.
    const again = await ask('10 bUSDT Coffee & <cake>');
    expect(again.results[0].id).toBe(result.id);
    expect(h.smartypay.createdInvoices()).toHaveLength(before);
  });

  it('makes the invoice when the result is chosen and turns the message into the live card', async () => {
    const before = h.smartypay.createdInvoices().length;
    const { queryId } = await ask('12.5 bUSDT Latte');
    const inlineMessageId = h.telegram.chooseInlineResult({ queryId });
    await h.telegram.waitFor(() => (h.telegram.inlineMessage(inlineMessageId)?.edits ?? 0) > 0);

    const created = h.smartypay.createdInvoices().slice(before);
    expect(created).toHaveLength(1);
    const remote = defined(created[0], 'the remote invoice');
    expect(remote).toMatchObject({ amount: '12.5', token: 'bUSDT' });
    expect(JSON.parse(remote.metadata ?? '{}')).toEqual({ chatId: MERCHANT.id, inline: 1 });

    const card = defined(h.telegram.inlineMessage(inlineMessageId), 'the inline message');
    expect(card.text).toContain('12.5 bUSDT');
    expect(card.text).toContain('Latte');
    const [button] = card.reply_markup.inline_keyboard.flat();
    const url = new URL(button.url);
    expect(url.searchParams.get('invoice-id')).toBe(remote.id);
    expect(url.searchParams.get('lang')).toBe('en');

    const row = await waitForInvoice(h, remote.id, () => true);
    // Telegram never says which chat the message was posted in; messages about it go to the issuer privately.
    expect(row).toMatchObject({
      chatId: null,
      notifyChatId: MERCHANT.id,
      payMessageId: null,
      inlineMessageId,
      issuedByUserId: MERCHANT.id,
      locale: 'en',
      status: 'Created',
    });
    // So the issuer finds it by number in their private chat.
    const privateChat = { id: MERCHANT.id, type: 'private' as const };
    const answered = botCalls(h, MERCHANT.id).length;
    h.telegram.sendText({ chat: privateChat, from: MERCHANT, text: `/status ${row.id}` });
    await h.telegram.waitFor(() => botCalls(h, MERCHANT.id).length > answered);
    expect(botCalls(h, MERCHANT.id).at(-1)?.params.text).toContain(`Invoice #${row.id}`);
  });

  it('makes the invoice on the first tap when Telegram reports no choice (inline feedback off)', async () => {
    const before = h.smartypay.createdInvoices().length;
    const { queryId } = await ask('3 bUSDT Tea');
    const inlineMessageId = h.telegram.chooseInlineResult({ queryId, feedback: false });
    expect(h.telegram.inlineMessage(inlineMessageId)?.text).toContain('Tap Pay');

    const tap = await h.telegram.tapButton({
      from: customer(),
      data: `v1:ipay:${queryResultId(queryId)}`,
      inlineMessageId,
    });
    expect(tap?.text).toBe('Invoice ready — tap Pay.');
    expect(h.smartypay.createdInvoices().slice(before)).toHaveLength(1);
    // The outbox turns the preview into the card right after the invoice is committed.
    await h.telegram.waitFor(() => inlineEdits(inlineMessageId).length === 1);
    const card = defined(h.telegram.inlineMessage(inlineMessageId), 'the inline message');
    expect(card.reply_markup.inline_keyboard.flat()[0].url).toContain('invoice-id=');

    // A second tap (a stale client still showing the preview) makes nothing new.
    await h.telegram.tapButton({
      from: customer(),
      data: `v1:ipay:${queryResultId(queryId)}`,
      inlineMessageId,
    });
    expect(h.smartypay.createdInvoices().slice(before)).toHaveLength(1);
    const rows = await h.db.select().from(invoices).where(eq(invoices.inlineMessageId, inlineMessageId));
    expect(rows).toHaveLength(1);
  });

  it('apologises in the tap answer when SMARTy Pay fails, and the next tap makes the invoice', async () => {
    const before = h.smartypay.createdInvoices().length;
    const { queryId } = await ask('8 bUSDT Scone');
    const inlineMessageId = h.telegram.chooseInlineResult({ queryId, feedback: false });
    h.smartypay.failNext('POST', 500);
    const data = `v1:ipay:${queryResultId(queryId)}`;
    const failed = await h.telegram.tapButton({ from: customer(), data, inlineMessageId });
    expect(failed).toMatchObject({ show_alert: true });
    expect(failed?.text).toContain('no invoice was created');
    expect(h.telegram.inlineMessage(inlineMessageId)?.edits).toBe(0); // the preview and its button stay

    const retry = await h.telegram.tapButton({ from: customer(), data, inlineMessageId });
    expect(retry?.text).toBe('Invoice ready — tap Pay.');
    expect(h.smartypay.createdInvoices().slice(before)).toHaveLength(1);
  });

  it('makes one invoice when the choice and the first tap arrive together', async () => {
    const before = h.smartypay.createdInvoices().length;
    const { queryId } = await ask('7 bUSDT Cake');
    h.smartypay.setLatency(300); // both handlers are waiting on SMARTy Pay at once
    try {
      const inlineMessageId = h.telegram.chooseInlineResult({ queryId });
      const tap = h.telegram.pressButton({
        from: customer(),
        data: `v1:ipay:${queryResultId(queryId)}`,
        inlineMessageId,
      });
      await h.telegram.waitFor(
        () => h.telegram.callbackAnswer(tap) !== undefined && inlineEdits(inlineMessageId).length === 1,
      );
      expect(h.telegram.callbackAnswer(tap)?.text).toBe('Invoice ready — tap Pay.');
      expect(h.smartypay.createdInvoices().slice(before)).toHaveLength(1);
      // One invoice, one card_inline row: the card is put there once, by the outbox.
      const [row] = await h.db.select().from(invoices).where(eq(invoices.inlineMessageId, inlineMessageId));
      const id = defined(row, 'the invoice').id;
      await waitUntil(async () => (await outboxRowsOf(h, id)).every((r) => r.status === 'sent'));
      expect((await outboxRowsOf(h, id)).map((r) => r.kind)).toEqual(['card_inline']);
      expect(h.telegram.inlineMessage(inlineMessageId)?.edits).toBe(1);
      const rows = await h.db.select().from(invoices).where(eq(invoices.inlineMessageId, inlineMessageId));
      expect(rows).toHaveLength(1);
    } finally {
      h.smartypay.setLatency(0);
    }
  });

  it('edits the inline card to paid and tells the issuer privately when the payment arrives', async () => {
    const before = h.smartypay.createdInvoices().length;
    const { queryId } = await ask('4.5 bUSDT Muffin');
    const inlineMessageId = h.telegram.chooseInlineResult({ queryId });
    await h.telegram.waitFor(() => h.smartypay.createdInvoices().length > before);
    const remote = defined(h.smartypay.createdInvoices()[before], 'the remote invoice');
    await waitForInvoice(h, remote.id, () => true);
    const privateBefore = botCalls(h, MERCHANT.id).length;

    const response = await sendAndApply(h, remote.id, { status: 'Paid' });
    expect(response.status).toBe(200);
    await h.telegram.waitFor(
      () =>
        h.telegram.inlineMessage(inlineMessageId)?.text.includes('Paid') === true &&
        botCalls(h, MERCHANT.id).length > privateBefore,
    );
    const card = defined(h.telegram.inlineMessage(inlineMessageId), 'the inline message');
    expect(card.text).toContain('4.5 bUSDT');
    expect(card.reply_markup).toBeUndefined(); // the Pay button is gone
    const [confirmation] = botCalls(h, MERCHANT.id).slice(privateBefore);
    expect(confirmation?.params.text).toContain('Payment received');
    expect(confirmation?.params.text).toContain('Muffin');
    expect(confirmation?.params.reply_parameters).toBeUndefined();
  });

  it("a customer's 🔄 Check status on the inline card finds the payment whose webhook was lost", async () => {
    const before = h.smartypay.createdInvoices().length;
    const { queryId } = await ask('3 bUSDT Scone');
    const inlineMessageId = h.telegram.chooseInlineResult({ queryId });
    // The preview turns into the live card (with its Check status button) once the invoice exists.
    await h.telegram.waitFor(() => JSON.stringify(h.telegram.inlineMessage(inlineMessageId)).includes('"v1:chk:'));
    const remote = defined(h.smartypay.createdInvoices()[before], 'the remote invoice');
    const row = await waitForInvoice(h, remote.id, () => true);
    const card = defined(h.telegram.inlineMessage(inlineMessageId), 'the inline card');
    const check = card.reply_markup?.inline_keyboard.flat().find((b: any) => b.callback_data?.startsWith('v1:chk:'));
    expect(check?.callback_data).toBe(`v1:chk:${row.id}`);

    h.smartypay.setStatus(remote.id, 'Paid'); // paid, but the webhook never arrives
    const tap = await h.telegram.tapButton({ from: customer(), data: check.callback_data, inlineMessageId });
    expect(tap?.text).toMatch(/paid/i);
    await h.telegram.waitFor(() => h.telegram.inlineMessage(inlineMessageId)?.text.includes('Paid') === true);
    expect(h.telegram.inlineMessage(inlineMessageId)?.reply_markup).toBeUndefined();
  });

  it('marks the inline card expired when the invoice runs out unpaid', async () => {
    const before = h.smartypay.createdInvoices().length;
    const { queryId } = await ask('6 bUSDT Bagel');
    const inlineMessageId = h.telegram.chooseInlineResult({ queryId });
    await h.telegram.waitFor(() => (h.telegram.inlineMessage(inlineMessageId)?.edits ?? 0) > 0);
    const remote = defined(h.smartypay.createdInvoices()[before], 'the remote invoice');

    clock.advance(61 * 60_000);
    await h.app.workers.reconciler.tick();
    await waitForInvoice(h, remote.id, (r) => r.status === 'Expired');
    await h.telegram.waitFor(() => h.telegram.inlineMessage(inlineMessageId)?.text.includes('Expired') === true);
    const card = defined(h.telegram.inlineMessage(inlineMessageId), 'the inline message');
    expect(card.text).toContain('Bagel');
    expect(card.reply_markup).toBeUndefined();
  });

  it('offers no result, but a help button, for an empty or invalid query', async () => {
    const empty = await ask('');
    expect(empty.results).toEqual([]);
    expect(empty.params.button).toEqual({ text: 'Type an invoice: 10 bUSDT coffee', start_parameter: 'help' });
    const invalid = await ask('ten bucks');
    expect(invalid.results).toEqual([]);
    expect(invalid.params.button).toEqual({ text: '⚠️ Not an invoice. Try: 10 bUSDT coffee', start_parameter: 'help' });
    expect((await ask('5 USDTT')).results).toEqual([]);
  });

  it('offers nothing to someone who is not a merchant', async () => {
    const before = await h.db.select().from(inlineDrafts);
    const stranger = customer();
    const { results, params } = await ask('10 bUSDT coffee', stranger);
    expect(results).toEqual([]);
    expect(params.button).toEqual({ text: "Sorry, only this shop's merchants can do that.", start_parameter: 'help' });
    expect(await h.db.select().from(inlineDrafts)).toHaveLength(before.length);
  });

  it('speaks Russian to a Russian-speaking merchant and customer', async () => {
    const merchant = { ...MERCHANT, language_code: 'ru' };
    // The amount the Russian way (typed with a dot), in the title, the preview and the button.
    const { queryId, results } = await ask('2.5 bUSDT Кофе', merchant);
    expect(results[0].title).toBe('Счёт: 2,5 bUSDT');
    expect(results[0].input_message_content.message_text).toBe(
      '🧾 <b>Счёт</b>\n<b>2,5 bUSDT</b>\nЗа: <i>«Кофе»</i>\n\nНажмите «Оплатить», чтобы получить ссылку на оплату.',
    );
    expect(results[0].reply_markup.inline_keyboard[0][0].text).toBe('💳 Оплатить 2,5 bUSDT');
    expect((await ask('', merchant)).params.button.text).toBe('Введите счёт: 10 bUSDT кофе');

    const inlineMessageId = h.telegram.chooseInlineResult({ queryId, feedback: false });
    const tap = await h.telegram.tapButton({ from: customer('ru'), data: `v1:ipay:${results[0].id}`, inlineMessageId });
    expect(tap?.text).toBe('Счёт готов — нажмите «Оплатить».');
    const [row] = await h.db.select().from(invoices).where(eq(invoices.inlineMessageId, inlineMessageId));
    expect(row?.locale).toBe('ru');
    expect(row?.amount).toBe('2.50000000');
    expect(new URL(row?.checkoutUrl ?? 'x:').searchParams.get('lang')).toBe('ru');
  });

  it('answers a tap on an unknown offer with an alert and creates nothing', async () => {
    const before = h.smartypay.createdInvoices().length;
    const tap = await h.telegram.tapButton({
      from: customer(),
      data: 'v1:ipay:nosuchdraft',
      inlineMessageId: 'inl-unknown',
    });
    expect(tap).toMatchObject({
      text: 'This invoice offer is no longer available. Ask the merchant for a new one.',
      show_alert: true,
    });
    expect(h.smartypay.createdInvoices()).toHaveLength(before);
  });

  // Last in this block: it moves the shared clock on by a week.
  it('forgets offers after a week: the reconciler prunes them and a late tap is told the offer is gone', async () => {
    const { queryId, results } = await ask('8 bUSDT Pie');
    const draftId = defined(results[0], 'the offer').id as string;
    const inlineMessageId = h.telegram.chooseInlineResult({ queryId, feedback: false });
    const sent = await ask('9 bUSDT Tart');
    const sentMessage = h.telegram.chooseInlineResult({ queryId: sent.queryId });
    await h.telegram.waitFor(() => (h.telegram.inlineMessage(sentMessage)?.edits ?? 0) > 0);
    expect(await h.db.select().from(inlineOffers).where(eq(inlineOffers.inlineMessageId, sentMessage))).toHaveLength(1);
    clock.advance(8 * 24 * 60 * 60_000);
    await h.app.workers.reconciler.tick();
    expect(await h.db.select().from(inlineDrafts).where(eq(inlineDrafts.id, draftId))).toHaveLength(0);
    // The binding goes with its draft; the invoice it led to stays.
    expect(await h.db.select().from(inlineOffers).where(eq(inlineOffers.inlineMessageId, sentMessage))).toHaveLength(0);
    expect(await h.db.select().from(invoices).where(eq(invoices.inlineMessageId, sentMessage))).toHaveLength(1);
    const tap = await h.telegram.tapButton({ from: customer(), data: `v1:ipay:${draftId}`, inlineMessageId });
    expect(tap?.text).toContain('no longer available');
  });
});

function queryResultId(queryId: string): string {
  const [result] = h.telegram.inlineResults(queryId) ?? [];
  if (!result) throw new Error(`inline query ${queryId} has no result`);
  return String(result.id);
}

function defined<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`missing ${what}`);
  return value;
}

describe('inline mode under the per-user rate limit', () => {
  let limited: Harness;
  beforeAll(async () => {
    limited = await startHarness({ env: { PAY_RATE_LIMIT_PER_MINUTE: '1' } });
  });
  afterAll(async () => {
    await limited?.close();
  });

  it('stops offering invoices once the issuer made the most a minute allows', async () => {
    const askLimited = async (query: string) => {
      const queryId = limited.telegram.inlineQuery({ from: MERCHANT, query });
      await limited.telegram.waitFor(() => limited.telegram.inlineResults(queryId) !== undefined);
      const call = limited.telegram.callsOf('answerInlineQuery').find((c) => c.params.inline_query_id === queryId);
      return { queryId, results: limited.telegram.inlineResults(queryId) ?? [], button: call?.params.button };
    };
    const first = await askLimited('1 bUSDT One');
    expect(first.results).toHaveLength(1);
    const early = await askLimited('3 bUSDT Early'); // offered while the limit still had room
    expect(early.results).toHaveLength(1);
    const inlineMessageId = limited.telegram.chooseInlineResult({ queryId: first.queryId });
    await limited.telegram.waitFor(() => (limited.telegram.inlineMessage(inlineMessageId)?.edits ?? 0) > 0);

    // The limit is taken when the invoice is made: choosing (or tapping) the early offer now makes none.
    const earlyMessageId = limited.telegram.chooseInlineResult({ queryId: early.queryId });
    await waitUntil(() => limited.logs.find('inline invoice refused: limit').length === 1);
    const tap = await limited.telegram.tapButton({
      from: { id: 5151, first_name: 'Customer' },
      data: String(early.results[0]?.reply_markup?.inline_keyboard?.[0]?.[0]?.callback_data),
      inlineMessageId: earlyMessageId,
    });
    expect(tap).toMatchObject({
      text: "⏳ That's a lot of invoices: at most 1 a minute per person. Please try again in a minute.",
      show_alert: true,
    });
    expect(limited.telegram.inlineMessage(earlyMessageId)?.edits).toBe(0);

    const second = await askLimited('2 bUSDT Two');
    expect(second.results).toEqual([]);
    expect(second.button).toEqual({
      text: '⏳ Too many invoices (limit: 1 a minute). Try again in a minute.',
      start_parameter: 'help',
    });
    expect(limited.smartypay.createdInvoices()).toHaveLength(1);
  });
});
