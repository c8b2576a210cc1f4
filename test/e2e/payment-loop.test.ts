import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoices, outbox, webhookEvents } from '../../src/db/schema.js';
import { botCalls, issueInvoice, MERCHANT, waitForInvoice } from '../support/flows.js';
import { type Harness, sendAndApply, settle, startHarness } from '../support/harness.js';

let h: Harness;
let nextChatId = -1_000_100;
function newGroup() {
  nextChatId -= 1;
  return { id: nextChatId, type: 'supergroup' as const, title: 'Coffee shop' };
}

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('core payment loop', () => {
  it('issues an invoice card for /pay and confirms the Paid webhook in the chat', async () => {
    const chat = newGroup();
    const started = performance.now();
    const { message, card, remote } = await issueInvoice(h, chat, '/pay@test_bot 12,5 busdt Coffee & <cake>');
    const payToButtonMs = performance.now() - started;

    // SMARTy Pay got the amount, token, expiry and pure-ASCII metadata pointing back at the chat.
    expect(remote.amount).toBe('12.5');
    expect(remote.token).toBe('bUSDT');
    expect(JSON.parse(remote.metadata ?? '{}')).toEqual({ chatId: chat.id, messageId: message.message_id });
    const ttlMs = remote.expiresAt.getTime() - remote.createdAt.getTime();
    expect(Math.abs(ttlMs - 60 * 60_000)).toBeLessThan(5_000);

    // The card replies to /pay, states amount, token, description (escaped) and expiry, and has one URL button.
    expect(card.params.reply_parameters.message_id).toBe(message.message_id);
    expect(card.params.parse_mode).toBe('HTML');
    expect(card.params.text).toContain('12.5 bUSDT');
    expect(card.params.text).toContain('Coffee &amp; &lt;cake&gt;');
    expect(card.params.text).toMatch(/Expires: .*UTC/);
    const buttons = card.params.reply_markup.inline_keyboard.flat();
    expect(buttons).toHaveLength(2); // Pay (URL) and Check status (callback, test/e2e/card-buttons.test.ts)
    const url = new URL(buttons[0].url);
    expect(`${url.origin}${url.pathname}`).toBe('https://checkout.smartypay.io/invoice');
    expect(url.searchParams.get('invoice-id')).toBe(remote.id);
    expect(url.searchParams.get('name')).toBe('Coffee & <cake>');

    // The card's message id is recorded right after Telegram accepted it.
    const row = await waitForInvoice(h, remote.id, (r) => r.cardMessageId !== null);
    expect(row).toMatchObject({
      chatId: chat.id,
      payMessageId: message.message_id,
      issuedByUserId: MERCHANT.id,
      token: 'bUSDT',
      description: 'Coffee & <cake>',
      status: 'Created',
    });
    expect(Number(row?.amount)).toBe(12.5);
    expect(row?.cardMessageId).toBeTypeOf('number');

    // The customer pays; SMARTy Pay sends the signed webhook.
    const paidAt = performance.now();
    const response = await sendAndApply(h, remote.id, { status: 'Paid' });
    expect(response.status).toBe(200);
    await h.telegram.waitFor(
      () => botCalls(h, chat.id).length === 2 && botCalls(h, chat.id, 'editMessageText').length === 1,
    );
    const webhookToConfirmationMs = performance.now() - paidAt;

    const confirmation = botCalls(h, chat.id)[1];
    expect(confirmation?.params.reply_parameters).toEqual({
      message_id: message.message_id,
      allow_sending_without_reply: true,
    });
    expect(confirmation?.params.text).toContain('Payment received');
    expect(confirmation?.params.text).toContain('12.5 bUSDT');

    const edit = botCalls(h, chat.id, 'editMessageText')[0];
    expect(edit?.params.message_id).toBe(row?.cardMessageId);
    expect(edit?.params.text).toContain('Paid');
    expect(edit?.params.reply_markup).toBeUndefined(); // the Pay button is gone

    const [paid] = await h.db.select().from(invoices).where(eq(invoices.smartyPayId, remote.id));
    expect(paid?.status).toBe('Paid');
    expect(paid?.paidAmount).toBe('12.5');
    expect(paid?.paidAt).toBeInstanceOf(Date);
    console.info(
      `[measured] /pay → card: ${payToButtonMs.toFixed(1)} ms; webhook → confirmation: ${webhookToConfirmationMs.toFixed(1)} ms (${h.database.driver})`,
    );
  });

  it('keeps a non-ASCII description working end to end (SDK Content-Length trap)', async () => {
    const chat = newGroup();
    const description = 'Кофе ☕ и круассан 🥐';
    const { card, remote } = await issueInvoice(h, chat, `/pay 3 pUSDT ${description}`);
    expect(h.smartypay.requests.filter((r) => r.status === 401)).toHaveLength(0);
    expect(card.params.text).toContain(description);
    const url = new URL(card.params.reply_markup.inline_keyboard[0][0].url);
    expect(url.searchParams.get('name')).toBe(description);
    expect(/^[\x20-\x7e]+$/.test(url.toString())).toBe(true); // percent-encoded ASCII

    await sendAndApply(h, remote.id, { status: 'SimplePaid' });
    await h.telegram.waitFor(() => botCalls(h, chat.id).length === 2);
    expect(botCalls(h, chat.id)[1]?.params.text).toContain(description);
  });

  it('confirms exactly once when the same Paid webhook arrives 4 times at once', async () => {
    const chat = newGroup();
    const { remote } = await issueInvoice(h, chat, '/pay 7 bUSDT');
    const body = h.smartypay.webhookBody(remote.id, { status: 'Paid', eventId: 'evt-dup-1' });
    const deliveries = await Promise.all(
      Array.from({ length: 4 }, () =>
        fetch(h.webhookUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-sp-digest': h.smartypay.sign(body) },
          body,
        }),
      ),
    );
    expect(deliveries.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    await h.telegram.waitFor(() => botCalls(h, chat.id).length === 2);
    // Every webhook was answered after its commit: once the outbox is drained, any duplicate has been sent.
    await settle(h.app);
    expect(botCalls(h, chat.id)).toHaveLength(2);
    expect(botCalls(h, chat.id, 'editMessageText')).toHaveLength(1);
    const events = await h.db.select().from(webhookEvents).where(eq(webhookEvents.dedupeKey, 'evt-dup-1'));
    expect(events).toHaveLength(1);
  });

  it('accepts the x-api-digest header name the SDK README uses', async () => {
    const chat = newGroup();
    const { remote } = await issueInvoice(h, chat, '/pay 1 bUSDT');
    const response = await sendAndApply(h, remote.id, { status: 'Paid', header: 'x-api-digest' });
    expect(response.status).toBe(200);
    await h.telegram.waitFor(() => botCalls(h, chat.id).length === 2);
  });

  it('tells the chat about over-, under-paid and invalid payments with amounts', async () => {
    const over = newGroup();
    const a = await issueInvoice(h, over, '/pay 5 bUSDT tea');
    await sendAndApply(h, a.remote.id, { status: 'OverPaid', paidAmount: '5.25' });
    await h.telegram.waitFor(() => botCalls(h, over.id).length === 2);
    expect(botCalls(h, over.id)[1]?.params.text).toContain('0.25 bUSDT more than the 5 bUSDT due');

    const under = newGroup();
    const b = await issueInvoice(h, under, '/pay 5 bUSDT tea');
    await sendAndApply(h, b.remote.id, { status: 'UnderPaid', paidAmount: '2' });
    await h.telegram.waitFor(() => botCalls(h, under.id).length === 2);
    const underText = botCalls(h, under.id)[1]?.params.text;
    expect(underText).toBe(
      '⚠️ Partly paid for <i>“tea”</i>: <b>2 bUSDT</b> of <b>5 bUSDT</b> received, 3 bUSDT missing.\n' +
        "The customer can pay the rest with “Pay the remaining” on the card; I'll confirm here when it arrives.",
    );
    await h.telegram.waitFor(() => botCalls(h, under.id, 'editMessageText').length === 1);
    // Partly paid is not closed: Check status stays, and the rest can be paid with a linked invoice.
    expect(botCalls(h, under.id, 'editMessageText')[0]?.params.reply_markup.inline_keyboard.flat()).toEqual([
      { text: '💳 Pay the remaining 3 bUSDT', callback_data: `v1:rest:${b.row.id}` },
      { text: '🔄 Check status', callback_data: `v1:chk:${b.row.id}` },
    ]);

    const invalid = newGroup();
    const c = await issueInvoice(h, invalid, '/pay 5 bUSDT');
    await sendAndApply(h, c.remote.id, { status: 'Invalid' });
    await h.telegram.waitFor(() => botCalls(h, invalid.id).length === 2);
    expect(botCalls(h, invalid.id)[1]?.params.text).toContain('failed');
  });

  it('ignores a stale event after payment and never un-pays', async () => {
    const chat = newGroup();
    const { remote } = await issueInvoice(h, chat, '/pay 2 bUSDT');
    await sendAndApply(h, remote.id, { status: 'Paid', eventId: 'evt-paid' });
    await h.telegram.waitFor(() => botCalls(h, chat.id).length === 2);
    const stale = await sendAndApply(h, remote.id, { status: 'Created', eventId: 'evt-old' });
    const secondPaid = await sendAndApply(h, remote.id, {
      status: 'Paid',
      eventId: 'evt-paid-2',
    });
    expect([stale.status, secondPaid.status]).toEqual([200, 200]);
    const [row] = await h.db.select().from(invoices).where(eq(invoices.smartyPayId, remote.id));
    expect(row?.status).toBe('Paid');
    await settle(h.app);
    expect(botCalls(h, chat.id)).toHaveLength(2);
  });

  it('answers 200 for an invoice that is not ours, so SMARTy Pay stops retrying', async () => {
    const body = JSON.stringify({ invoiceId: 'not-ours', status: 'Paid', amount: '1 bUSDT' });
    const response = await fetch(h.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-sp-digest': h.smartypay.sign(body) },
      body,
    });
    expect(response.status).toBe(200);
    await h.app.workers.webhookInbox.drain();
    // The line logged while applying it carries the request's id, the same one the response names.
    const reqId = response.headers.get('x-request-id');
    expect(reqId).toMatch(/^[\w.-]+$/);
    expect(h.logs.find('webhook for an unknown invoice').map((line) => line.reqId)).toContain(reqId);
  });
});

describe('webhook rejects what SMARTy Pay did not sign', () => {
  async function post(body: string, headers: Record<string, string>) {
    return fetch(h.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  }

  it('401 for forged, unsigned or re-serialised bodies, 400 for malformed ones; nothing written or sent', async () => {
    const chat = newGroup();
    const { remote } = await issueInvoice(h, chat, '/pay 9 bUSDT');
    const eventsBefore = (await h.db.select().from(webhookEvents)).length;
    const outboxBefore = (await h.db.select().from(outbox)).length;
    const body = h.smartypay.webhookBody(remote.id, { status: 'Paid' });
    const good = h.smartypay.sign(body);
    const reserialised = JSON.stringify(JSON.parse(body), null, 2);

    expect((await post(body, {})).status).toBe(401);
    expect((await post(body, { 'x-sp-digest': '' })).status).toBe(401);
    expect((await post(body, { 'x-sp-digest': 'deadbeef' })).status).toBe(401);
    expect((await post(body, { 'x-sp-digest': 'g'.repeat(64) })).status).toBe(401);
    expect((await post(body, { 'x-sp-digest': good.replace(/^./, (c) => (c === '0' ? '1' : '0')) })).status).toBe(401);
    expect((await post(reserialised, { 'x-sp-digest': good })).status).toBe(401);
    expect((await post(body.replace('"Paid"', '"OverPaid"'), { 'x-sp-digest': good })).status).toBe(401);

    const notJson = 'invoiceId=1&status=Paid';
    expect((await post(notJson, { 'x-sp-digest': h.smartypay.sign(notJson) })).status).toBe(400);
    const noInvoiceId = JSON.stringify({ status: 'Paid' });
    expect((await post(noInvoiceId, { 'x-sp-digest': h.smartypay.sign(noInvoiceId) })).status).toBe(400);

    expect((await h.db.select().from(webhookEvents)).length).toBe(eventsBefore);
    expect((await h.db.select().from(outbox)).length).toBe(outboxBefore);
    const [row] = await h.db.select().from(invoices).where(eq(invoices.smartyPayId, remote.id));
    expect(row?.status).toBe('Created');
    expect(botCalls(h, chat.id)).toHaveLength(1);
  });

  it('413 for a body over 64 kB', async () => {
    const big = JSON.stringify({ invoiceId: 'x', status: 'Paid', pad: 'x'.repeat(70_000) });
    const response = await post(big, { 'x-sp-digest': h.smartypay.sign(big) });
    expect(response.status).toBe(413);
  });
});

describe('/pay input the bot refuses', () => {
  const tokens = () => h.config.tokens.accepted.join(', ');
  const eg = (example: string) => `<code>/pay ${example}</code>`;
  // One line with one example each, never the whole help.
  it.each([
    ['/pay', `Add the amount — e.g. ${eg('5 bUSDT coffee')}`, `Укажите сумму — например, ${eg('5 bUSDT кофе')}`],
    [
      '/pay 0',
      `The amount must be more than zero — e.g. ${eg('5 bUSDT coffee')}`,
      `Сумма должна быть больше нуля — например, ${eg('5 bUSDT кофе')}`,
    ],
    [
      '/pay -1',
      `The amount must be more than zero — e.g. ${eg('5 bUSDT coffee')}`,
      `Сумма должна быть больше нуля — например, ${eg('5 bUSDT кофе')}`,
    ],
    [
      '/pay abc',
      `“abc” is not an amount — e.g. ${eg('2.5 bUSDT coffee')}`,
      `«abc» не похоже на сумму — например, ${eg('2,5 bUSDT кофе')}`,
    ],
    [
      '/pay 1e309',
      `“1e309” is not an amount — e.g. ${eg('2.5 bUSDT coffee')}`,
      `«1e309» не похоже на сумму — например, ${eg('2,5 bUSDT кофе')}`,
    ],
    [
      '/pay 0.123456789',
      `At most 8 digits after the decimal point — e.g. ${eg('2.5 bUSDT coffee')}`,
      `После запятой можно не больше 8 знаков — например, ${eg('2,5 bUSDT кофе')}`,
    ],
    [
      '/pay 2000000000',
      `The amount can be at most one billion — e.g. ${eg('5 bUSDT coffee')}`,
      `Сумма не может быть больше миллиарда — например, ${eg('5 bUSDT кофе')}`,
    ],
    [
      '/pay 1,000',
      `“1,000” can be read two ways. Write the amount without thousands separators — e.g. ${eg('1000 bUSDT')}`,
      `«1,000» можно понять по-разному. Напишите сумму без разделителей разрядов — например, ${eg('1000 bUSDT')}`,
    ],
    [
      '/pay 5 XYZ',
      `I don't know the token “XYZ”. Tokens: TOKENS — e.g. ${eg('5 bUSDT coffee')}`,
      `Я не знаю токен «XYZ». Токены: TOKENS — например, ${eg('5 bUSDT кофе')}`,
    ],
    [
      `/pay 5 bUSDT ${'x'.repeat(201)}`,
      `The description can be at most 200 characters — e.g. ${eg('5 bUSDT coffee')}`,
      `Описание может быть не длиннее 200 символов — например, ${eg('5 bUSDT кофе')}`,
    ],
  ])('%s → one line with one example in English and Russian, no invoice', async (text, english, russian) => {
    for (const [language_code, expected] of [
      ['en', english],
      ['ru', russian],
    ] as const) {
      const chat = newGroup();
      const requestsBefore = h.smartypay.requests.length;
      const { message } = h.telegram.sendText({ chat, from: { ...MERCHANT, language_code }, text });
      await h.telegram.waitFor(() => botCalls(h, chat.id).length === 1);
      const reply = botCalls(h, chat.id)[0];
      expect(reply?.params.text).toBe(expected.replace('TOKENS', tokens()));
      expect(reply?.params.parse_mode).toBe('HTML');
      expect(reply?.params.reply_parameters.message_id).toBe(message.message_id);
      expect(reply?.params.reply_markup).toBeUndefined();
      expect(h.smartypay.requests.length).toBe(requestsBefore);
      expect(await h.db.select().from(invoices).where(eq(invoices.chatId, chat.id))).toHaveLength(0);
    }
  });
});

describe('when SMARTy Pay fails', () => {
  it('refuses with a 4xx: apology in the chat, no invoice row', async () => {
    const chat = newGroup();
    h.smartypay.failNext('POST', 400);
    h.telegram.sendText({ chat, from: MERCHANT, text: '/pay 4 bUSDT' });
    await h.telegram.waitFor(() => botCalls(h, chat.id).length === 1, 8_000);
    const reply = botCalls(h, chat.id)[0];
    expect(reply?.params.text).toMatch(/Sorry, .*no invoice was created/);
    expect(reply?.params.reply_markup).toBeUndefined();
    expect(await h.db.select().from(invoices).where(eq(invoices.chatId, chat.id))).toHaveLength(0);
    expect(h.logs.find('could not create the invoice').length).toBeGreaterThan(0);
  });

  // SMARTy Pay may have made the invoice before failing or after the client gave up: a row keeps its place.
  it.each([
    ['answers 500', () => h.smartypay.failNext('POST', 500)],
    ['is slower than the timeout', () => h.smartypay.setLatency(3_000)],
  ])('%s: apology in the chat, no card, an Unconfirmed row', async (_what, inject) => {
    const chat = newGroup();
    inject();
    try {
      h.telegram.sendText({ chat, from: MERCHANT, text: '/pay 4 bUSDT' });
      await h.telegram.waitFor(() => botCalls(h, chat.id).length === 1, 8_000);
    } finally {
      h.smartypay.setLatency(0);
    }
    const reply = botCalls(h, chat.id)[0];
    expect(reply?.params.text).toMatch(
      /Sorry, SMARTy Pay did not confirm the invoice in time, so there is no invoice card/,
    );
    expect(reply?.params.reply_markup).toBeUndefined();
    const rows = await h.db.select().from(invoices).where(eq(invoices.chatId, chat.id));
    expect(rows.map((r) => [r.status, r.cardMessageId, r.nextCheckAt])).toEqual([['Unconfirmed', null, null]]);
    expect(h.logs.find('could not create the invoice').length).toBeGreaterThan(0);
  });
});

describe('health', () => {
  it('answers /healthz and /readyz', async () => {
    expect((await fetch(`${h.app.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${h.app.url}/readyz`)).status).toBe(200);
  });

  it('never logs the bot token or the SMARTy Pay secret', () => {
    const all = h.logs.raw.join('\n');
    expect(all).not.toContain(h.config.botToken);
    expect(all).not.toContain(h.config.smartyPay.secretKey);
  });
});
