import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestClock } from '../support/clock.js';
import { botCalls, issueInvoice, MERCHANT, type TestChat, waitForInvoice } from '../support/flows.js';
import { type Harness, sendAndApply, startHarness } from '../support/harness.js';

// Buttons sent before callback data carried a version (`chk:12`, `rest:12`, `again:12`, `inv:10`, `ipay:<draft>`)
// are still in chats: each tap reaches the same action as its v1 form. Data the bot never made reaches none.

const clock = createTestClock();
let h: Harness;
let nextChatId = -1_009_000;
const newGroup = (): TestChat => ({ id: --nextChatId, type: 'supergroup', title: 'Shop' });
const CUSTOMER = { id: 781, first_name: 'Customer', language_code: 'en' };
const MINUTE = 60_000;
const LONG = 10_000;

beforeAll(async () => {
  h = await startHarness({
    now: clock.now,
    env: {
      RECHECK_INTERVAL_MS: '600000',
      TELEGRAM_GROUP_CHAT_INTERVAL_MS: '0',
      TELEGRAM_PRIVATE_CHAT_INTERVAL_MS: '0',
    },
  });
});
afterAll(async () => {
  await h?.close();
});

const gets = (smartyPayId: string) =>
  h.smartypay.requests.filter((r) => r.method === 'GET' && r.path === `/integration/invoices/${smartyPayId}`);
const tap = (chat: TestChat, messageId: number, data: string, from: typeof CUSTOMER = CUSTOMER) =>
  h.telegram.tapButton({ from, data, chatId: chat.id, messageId }, LONG);

describe('unversioned buttons from before v1', () => {
  it('chk:<id> checks the status at SMARTy Pay', async () => {
    const chat = newGroup();
    const { row, remote } = await issueInvoice(h, chat, '/pay 5 bUSDT');
    clock.advance(MINUTE);
    expect((await tap(chat, row.cardMessageId as number, `chk:${row.id}`)).text).toBe(
      '⏳ Still waiting for the payment.',
    );
    expect(gets(remote.id)).toHaveLength(1);
  });

  it('rest:<id> issues the invoice for the remaining amount', async () => {
    const chat = newGroup();
    const { row, remote } = await issueInvoice(h, chat, '/pay 10 bUSDT');
    await sendAndApply(h, remote.id, { status: 'UnderPaid', paidAmount: '4' });
    await waitForInvoice(h, remote.id, (r) => r.status === 'UnderPaid');
    const before = h.smartypay.createdInvoices().length;
    const answer = await tap(chat, row.cardMessageId as number, `rest:${row.id}`);
    expect(answer.text).toMatch(/^🧾 Invoice #\d+ for the remaining 6 bUSDT issued\.$/);
    expect(h.smartypay.createdInvoices().slice(before)).toMatchObject([{ amount: '6', token: 'bUSDT' }]);
  });

  it('again:<id> issues an expired invoice again (a merchant), and refuses a customer', async () => {
    const chat = newGroup();
    const { row, remote } = await issueInvoice(h, chat, '/pay 3 bUSDT');
    clock.advance(60 * MINUTE);
    await h.app.workers.reconciler.tick();
    await waitForInvoice(h, remote.id, (r) => r.status === 'Expired');
    const cardId = row.cardMessageId as number;
    const before = h.smartypay.createdInvoices().length;
    expect(await tap(chat, cardId, `again:${row.id}`)).toMatchObject({
      text: "Sorry, only this shop's merchants can do that.",
      show_alert: true,
    });
    expect((await tap(chat, cardId, `again:${row.id}`, MERCHANT)).text).toMatch(/^🧾 New invoice #\d+ issued\.$/);
    expect(h.smartypay.createdInvoices().slice(before)).toMatchObject([{ amount: '3', token: 'bUSDT' }]);
  });

  it('inv:<offset> pages /invoices', async () => {
    const chat = newGroup();
    await issueInvoice(h, chat, '/pay 1 bUSDT');
    h.telegram.sendText({ chat, from: MERCHANT, text: '/invoices' });
    await h.telegram.waitFor(() => botCalls(h, chat.id).length === 2, LONG);
    const list = h.telegram.messages(chat.id)[1];
    if (!list) throw new Error('no /invoices reply');
    // A customer's tap is refused by the paging handler itself, so it proves the tap reached it.
    expect(await tap(chat, list.message_id, 'inv:0')).toMatchObject({
      text: "Sorry, only this shop's merchants can do that.",
      show_alert: true,
    });
    // The merchant's tap of the page already shown: answered quietly, nothing edited.
    expect((await tap(chat, list.message_id, 'inv:0', MERCHANT)).text).toBeUndefined();
  });

  it('ipay:<draft> makes the inline invoice', async () => {
    const queryId = h.telegram.inlineQuery({ from: MERCHANT, query: '2 bUSDT Tea' });
    await h.telegram.waitFor(() => h.telegram.inlineResults(queryId) !== undefined);
    const draftId = h.telegram.inlineResults(queryId)?.[0]?.id as string;
    const inlineMessageId = h.telegram.chooseInlineResult({ queryId, feedback: false });
    const before = h.smartypay.createdInvoices().length;
    const answer = await h.telegram.tapButton({ from: CUSTOMER, data: `ipay:${draftId}`, inlineMessageId }, LONG);
    expect(answer.text).toBe('Invoice ready — tap Pay.');
    expect(h.smartypay.createdInvoices().slice(before)).toMatchObject([{ amount: '2', token: 'bUSDT' }]);
  });
});

describe('callback data the bot did not make', () => {
  it('is answered quietly and reaches no action', async () => {
    const chat = newGroup();
    const { row, remote } = await issueInvoice(h, chat, '/pay 5 bUSDT');
    clock.advance(MINUTE);
    const cardId = row.cardMessageId as number;
    const edits = botCalls(h, chat.id, 'editMessageText').length;
    for (const data of [`v2:chk:${row.id}`, `chk:0${row.id}`, `v1:chk:${row.id}:1`, `check:${row.id}`, 'garbage']) {
      expect(await tap(chat, cardId, data), data).toEqual({ callback_query_id: expect.any(String) });
    }
    expect(gets(remote.id)).toHaveLength(0);
    expect(botCalls(h, chat.id, 'editMessageText')).toHaveLength(edits);
    expect(h.logs.find('tap with callback data the bot did not make').map((line) => line.data)).toEqual(
      expect.arrayContaining(['garbage', `v2:chk:${row.id}`]),
    );
  });
});
