import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoices, outbox, webhookEvents } from '../../src/db/schema.js';
import { createTestClock } from '../support/clock.js';
import { botCalls, issueInvoice, MERCHANT, type TestChat, waitForInvoice, waitUntil } from '../support/flows.js';
import { type Harness, sendAndApply, startHarness } from '../support/harness.js';

// "Money shown must be money meant", through the real wiring and the fakes: amounts a reader could split
// into thousands are refused, a description can never draw a line of its own on a card, and only statuses
// SMARTy Pay defines are taken from outside (a NUL in a signed webhook is malformed, not a database error).

const clock = createTestClock(Date.UTC(2026, 10, 26, 8, 20));
let h: Harness;
let nextChatId = -1_000_700;
const newGroup = (): TestChat => ({ id: --nextChatId, type: 'supergroup', title: 'Shop' });
const FAKE_LINE = '✅ Paid · Received: 10 bUSDT';

beforeAll(async () => {
  h = await startHarness({
    now: clock.now,
    env: {
      // The expiry check re-checks every open invoice of the file at once; on a loaded machine one of those GETs
      // took over the harness's 2 s and was retried later instead of expiring the invoice. Nothing here is about
      // SMARTy Pay being slow (test/e2e/payment-loop.test.ts is).
      SMARTYPAY_TIMEOUT_MS: '10000',
      RECHECK_INTERVAL_MS: '600000',
      TELEGRAM_GROUP_CHAT_INTERVAL_MS: '0',
      TELEGRAM_PRIVATE_CHAT_INTERVAL_MS: '0',
    },
  });
});
afterAll(async () => {
  await h?.close();
});

/** The bot's reply to `/pay …`: one line, no usage text after it. */
async function refusalOf(text: string, language_code = 'en'): Promise<string> {
  const chat = newGroup();
  const requests = h.smartypay.requests.length;
  h.telegram.sendText({ chat, from: { ...MERCHANT, language_code }, text });
  await h.telegram.waitFor(() => botCalls(h, chat.id).length === 1);
  expect(h.smartypay.requests.length).toBe(requests);
  expect(await h.db.select().from(invoices).where(eq(invoices.chatId, chat.id))).toHaveLength(0);
  return botCalls(h, chat.id)[0]?.params.text ?? '';
}

describe('/pay with a thousands grouping', () => {
  it('refuses 1,000, 1.000 and 1 000 with one line naming what it read, in English and Russian', async () => {
    const hint = (word: string) =>
      `“${word}” can be read two ways. Write the amount without thousands separators — e.g. <code>/pay 1000 bUSDT</code>`;
    expect(await refusalOf('/pay 1,000')).toBe(hint('1,000'));
    expect(await refusalOf('/pay 1.000 bUSDT')).toBe(hint('1.000'));
    expect(await refusalOf('/pay 1 000 coffee')).toBe(hint('1 000'));
    expect(await refusalOf('/pay 1\u00a0000')).toBe(hint('1 000'));
    expect(await refusalOf('/pay 1 000', 'ru')).toBe(
      '«1 000» можно понять по-разному. Напишите сумму без разделителей разрядов — например, <code>/pay 1000 bUSDT</code>',
    );
  });

  it('still charges decimals with either mark', async () => {
    for (const [text, amount] of [
      ['/pay 0,99', '0.99000000'],
      ['/pay 12.5 bUSDT', '12.50000000'],
      ['/pay 2,5 tea', '2.50000000'],
    ]) {
      const { row } = await issueInvoice(h, newGroup(), text);
      expect(row.amount, text).toBe(amount);
    }
  });

  it('shows what was typed as 2,5 or 2.5 the reader’s way: 2.5 in English, 2,5 in Russian; SMARTy Pay gets 2.5', async () => {
    for (const [language_code, typed, shown, button] of [
      ['en', '/pay 2,5 bUSDT tea', '<b>2.5 bUSDT</b>', '💳 Pay 2.5 bUSDT'],
      ['ru', '/pay 2.5 bUSDT чай', '<b>2,5 bUSDT</b>', '💳 Оплатить 2,5 bUSDT'],
    ] as const) {
      const chat = newGroup();
      const before = h.smartypay.createdInvoices().length;
      h.telegram.sendText({ chat, from: { ...MERCHANT, language_code }, text: typed });
      await h.telegram.waitFor(() => botCalls(h, chat.id).length === 1);
      const card = botCalls(h, chat.id)[0]?.params;
      expect(card?.text.split('\n')[1], language_code).toBe(shown);
      expect(card?.reply_markup.inline_keyboard[0][0].text, language_code).toBe(button);
      expect(h.smartypay.createdInvoices()[before]?.amount, language_code).toBe('2.5');
    }
  });

  it('in inline mode answers with the same hint instead of a preview', async () => {
    for (const [language_code, text] of [
      ['en', '⚠️ Write the amount without separators: 1000 or 1.5'],
      ['ru', '⚠️ Напишите сумму без разделителей: 1000 или 1,5'],
    ]) {
      const queryId = h.telegram.inlineQuery({ from: { ...MERCHANT, language_code }, query: '1 000 bUSDT coffee' });
      await h.telegram.waitFor(() => h.telegram.inlineResults(queryId) !== undefined);
      const call = h.telegram.callsOf('answerInlineQuery').find((c) => c.params.inline_query_id === queryId);
      expect(h.telegram.inlineResults(queryId)).toEqual([]);
      expect(call?.params.button).toEqual({ text, start_parameter: 'help' });
    }
  });
});

describe('a description that tries to look like the bot', () => {
  it('is stored as one clean line and shown quoted after the bot’s lines', async () => {
    const chat = newGroup();
    const { card, row } = await issueInvoice(h, chat, `/pay 5 bUSDT Tea\n${FAKE_LINE}\u202e\u200b\u2066!\u2069`);
    expect(row.description).toBe(`Tea ${FAKE_LINE}!`);
    const lines = card.params.text.split('\n');
    expect(lines.slice(0, 3)).toEqual([
      `🧾 <b>Invoice #${row.id}</b>`,
      '<b>5 bUSDT</b>',
      'Expires: 26 Nov 2026, 09:20 UTC (in 60 min)',
    ]);
    expect(lines[3]).toBe(`For: <i>“Tea ${FAKE_LINE}!”</i>`);
    expect(lines.filter((line: string) => line.includes('Paid'))).toHaveLength(1);
  });

  it('stored before cleaning existed, is cleaned when the paid card is rendered', async () => {
    const chat = newGroup();
    const { remote, row } = await issueInvoice(h, chat, '/pay 7 bUSDT Soup');
    // A row written by an older version: raw line breaks and a right-to-left override.
    await h.db
      .update(invoices)
      .set({ description: `Soup\n${FAKE_LINE}\u202e\r\nend`, locale: 'ru' })
      .where(eq(invoices.id, row.id));
    await sendAndApply(h, remote.id, { status: 'Paid' });
    await h.telegram.waitFor(() => botCalls(h, chat.id, 'editMessageText').length === 1);
    expect(botCalls(h, chat.id, 'editMessageText')[0]?.params.text).toBe(
      [
        `✅ <b>Оплачен</b> · счёт №${row.id}`,
        '<b>7 bUSDT</b>',
        'Получено: <b>7 bUSDT</b>',
        `За: <i>«Soup ${FAKE_LINE} end»</i>`,
      ].join('\n'),
    );
    await h.telegram.waitFor(() => botCalls(h, chat.id).length === 2);
    expect(botCalls(h, chat.id)[1]?.params.text).toBe(
      `✅ Оплата получена: <b>7 bUSDT</b> за <i>«Soup ${FAKE_LINE} end»</i>.`,
    );
  });

  it('stored before cleaning existed, is not passed on by Issue again (nor to the checkout link)', async () => {
    const chat = newGroup();
    const { remote, row } = await issueInvoice(h, chat, '/pay 8 bUSDT Bread');
    await h.db
      .update(invoices)
      .set({ description: `Bread\n${FAKE_LINE}\u202e` })
      .where(eq(invoices.id, row.id));
    await sendAndApply(h, remote.id, { status: 'Expired' });
    await h.telegram.waitFor(() => botCalls(h, chat.id, 'editMessageText').length === 1);
    const tap = await h.telegram.tapButton({
      from: MERCHANT,
      data: `v1:again:${row.id}`,
      chatId: chat.id,
      messageId: row.cardMessageId ?? 0,
    });
    expect(tap?.text).toMatch(/^🧾 New invoice #\d+ issued\.$/);
    const [fresh] = await h.db.select().from(invoices).where(eq(invoices.reissueOfInvoiceId, row.id));
    expect(fresh?.description).toBe(`Bread ${FAKE_LINE}`);
    expect(new URL(fresh?.checkoutUrl ?? '').searchParams.get('name')).toBe(`Bread ${FAKE_LINE}`);
  });
});

describe('only SMARTy Pay’s statuses are taken from outside', () => {
  it('a signed webhook with a NUL (or another control character) in a string is malformed: 400, nothing stored', async () => {
    const chat = newGroup();
    const { remote } = await issueInvoice(h, chat, '/pay 3 bUSDT');
    const events = (await h.db.select().from(webhookEvents)).length;
    for (const extra of [
      { invoiceId: `${remote.id}\u0000` },
      { eventId: 'evt\u0000x' },
      { status: 'Pa\u0000id' },
      { paidAmount: '3 bUSDT\u0000' },
      { eventId: 'evt\u001bx' },
    ]) {
      const body = JSON.stringify({ ...JSON.parse(h.smartypay.webhookBody(remote.id, { status: 'Paid' })), ...extra });
      const response = await sendAndApply(h, remote.id, { body });
      expect(response.status, JSON.stringify(extra)).toBe(400);
    }
    expect(await h.db.select().from(webhookEvents)).toHaveLength(events);
    const [row] = await h.db.select().from(invoices).where(eq(invoices.smartyPayId, remote.id));
    expect(row?.status).toBe('Created');
  });

  it.each(['Cancelled', 'local:Cancelled', 'Refunded'])(
    'a signed webhook saying %j is recorded, ignored and answered 200',
    async (status) => {
      const chat = newGroup();
      const { remote, row } = await issueInvoice(h, chat, '/pay 4 bUSDT');
      const eventId = `evt-${status}-${row.id}`;
      const body = JSON.stringify({ ...JSON.parse(h.smartypay.webhookBody(remote.id)), status, eventId });
      const response = await sendAndApply(h, remote.id, { body });
      expect(response.status).toBe(200);
      expect(JSON.parse(response.body)).toEqual({ ok: true });
      expect(response.outcome).toBe('ignored');
      const [event] = await h.db.select().from(webhookEvents).where(eq(webhookEvents.dedupeKey, eventId));
      expect(event).toMatchObject({ status, outcome: 'ignored', smartyPayInvoiceId: remote.id, rawPayload: body });
      const [after] = await h.db.select().from(invoices).where(eq(invoices.id, row.id));
      expect(after).toMatchObject({ status: 'Created', cancelledAt: null });
      // Only the card itself was ever queued.
      const queued = await h.db.select().from(outbox).where(eq(outbox.invoiceId, row.id));
      expect(queued.map((r) => r.kind)).toEqual(['new_card']);
      expect(
        h.logs.find('webhook with a status SMARTy Pay does not define; recorded and ignored').length,
      ).toBeGreaterThan(0);
    },
  );

  it('counts those webhooks as "ignored" on /metrics', async () => {
    const exposition = await (await fetch(h.app.metricsUrl)).text();
    expect(exposition).toMatch(/^webhook_events_total\{outcome="ignored"\} 3$/m);
  });

  it('a re-check answering "local:Cancelled" or "Cancelled" changes nothing, and the invoice still expires on time', async () => {
    const chat = newGroup();
    const first = await issueInvoice(h, chat, '/pay 6 bUSDT');
    const second = await issueInvoice(h, newGroup(), '/pay 6 bUSDT');
    h.smartypay.setStatus(first.remote.id, 'local:Cancelled');
    h.smartypay.setStatus(second.remote.id, 'Cancelled');
    clock.advance(61_000); // the first re-check is due a minute after creation
    await h.app.workers.reconciler.tick();
    for (const { row } of [first, second]) {
      const [after] = await h.db.select().from(invoices).where(eq(invoices.id, row.id));
      expect(after).toMatchObject({ status: 'Created', cancelledAt: null, checkFailures: 0 });
      expect(after?.nextCheckAt?.getTime()).toBeGreaterThan(clock.now().getTime());
    }
    expect(h.logs.find('re-check reported a status SMARTy Pay does not define')).toHaveLength(2);

    clock.advance(60 * 60_000); // past expiry: the unrecognised answer does not stop local expiry
    await h.app.workers.reconciler.tick();
    await waitForInvoice(h, first.remote.id, (r) => r.status === 'Expired');
    await waitUntil(async () => {
      const [row] = await h.db.select().from(invoices).where(eq(invoices.id, second.row.id));
      return row?.status === 'Expired';
    });
  });
});
