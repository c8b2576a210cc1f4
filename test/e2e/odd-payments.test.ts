import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoices } from '../../src/db/schema.js';
import { createTestClock } from '../support/clock.js';
import { botCalls, issueInvoice, MERCHANT, outboxRowsOf, type TestChat, waitForInvoice } from '../support/flows.js';
import { type Harness, sendAndApply, startHarness } from '../support/harness.js';

// Payments that do not match the invoice, through the fakes: a growing UnderPaid, a Withdrawn, a Paid short of
// the amount, "Pay the remaining" (a linked invoice for the rest, one confirmation for the whole sale), and a
// create that timed out at SMARTy Pay but happened anyway.

const clock = createTestClock();
let h: Harness;
let nextChatId = -1_007_000;
const newGroup = (): TestChat => ({ id: --nextChatId, type: 'supergroup', title: 'Shop' });
const CUSTOMER = { id: 779, first_name: 'Customer', language_code: 'en' };
const LONG = 10_000;

beforeAll(async () => {
  h = await startHarness({
    now: clock.now,
    env: { RECHECK_INTERVAL_MS: '600000', TELEGRAM_GROUP_CHAT_INTERVAL_MS: '0', SMARTYPAY_TIMEOUT_MS: '500' },
  });
});
afterAll(async () => {
  await h?.close();
});

const rowOf = async (id: number) => (await h.db.select().from(invoices).where(eq(invoices.id, id)))[0];
const buttonsOf = (markup: any): any[] => markup?.inline_keyboard.flat() ?? [];
const texts = (chat: TestChat) => botCalls(h, chat.id).map((c) => c.params.text as string);
const cardOf = (chat: TestChat, messageId: number) =>
  h.telegram.messages(chat.id).find((m) => m.message_id === messageId);
const cardText = (chat: TestChat, messageId: number) => cardOf(chat, messageId)?.text ?? '';

describe('UnderPaid, Withdrawn, short Paid', () => {
  it('a second, larger UnderPaid is recorded and told; the card keeps Check status and offers the rest', async () => {
    const chat = newGroup();
    const { row, remote } = await issueInvoice(h, chat, '/pay 10 bUSDT');
    await sendAndApply(h, remote.id, { status: 'UnderPaid', paidAmount: '4' });
    await h.telegram.waitFor(() => botCalls(h, chat.id).length === 2, LONG);
    const second = await sendAndApply(h, remote.id, { status: 'UnderPaid', paidAmount: '8' });
    expect(second.outcome).toBe('applied');
    await h.telegram.waitFor(() => botCalls(h, chat.id).length === 3, LONG);
    expect(texts(chat)[2]).toBe(
      '⚠️ Partly paid: <b>8 bUSDT</b> of <b>10 bUSDT</b> received, 2 bUSDT missing.\n' +
        "The customer can pay the rest with “Pay the remaining” on the card; I'll confirm here when it arrives.",
    );
    expect(await rowOf(row.id)).toMatchObject({ status: 'UnderPaid', paidAmount: '8' });
    await h.telegram.waitFor(
      () => cardText(chat, row.cardMessageId as number).includes('Received: <b>8 bUSDT</b>'),
      LONG,
    );
    expect(buttonsOf(cardOf(chat, row.cardMessageId as number)?.reply_markup)).toEqual([
      { text: '💳 Pay the remaining 2 bUSDT', callback_data: `v1:rest:${row.id}` },
      { text: '🔄 Check status', callback_data: `v1:chk:${row.id}` },
    ]);
  });

  it('Withdrawn keeps the amount paid', async () => {
    const chat = newGroup();
    const { row, remote } = await issueInvoice(h, chat, '/pay 10 bUSDT');
    await sendAndApply(h, remote.id, { status: 'Paid', paidAmount: '10' });
    await sendAndApply(h, remote.id, { status: 'Withdrawn', paidAmount: '0.5' });
    await waitForInvoice(h, remote.id, (r) => r.status === 'Withdrawn');
    expect(await rowOf(row.id)).toMatchObject({ paidAmount: '10', paidToken: 'bUSDT' });
  });

  it('a Paid below the amount in the same token is confirmed as SMARTy Pay says, and flagged', async () => {
    const chat = newGroup();
    const { row, remote } = await issueInvoice(h, chat, '/pay 10 bUSDT Tea');
    await sendAndApply(h, remote.id, { status: 'Paid', paidAmount: '9.5' });
    await h.telegram.waitFor(() => botCalls(h, chat.id).length === 2, LONG);
    expect(texts(chat)[1]).toBe(
      '✅ Payment received: <b>9.5 bUSDT</b> for <i>“Tea”</i>. ⚠️ SMARTy Pay marked it paid, but only 9.5 bUSDT of the ' +
        '10 bUSDT due arrived (0.5 bUSDT missing): check the payment in SMARTy Pay before you deliver.',
    );
    expect((await rowOf(row.id))?.status).toBe('Paid');
    await h.telegram.waitFor(() => cardText(chat, row.cardMessageId as number).includes('Paid</b>'), LONG);
    expect(cardOf(chat, row.cardMessageId as number)?.text).toContain(
      '⚠️ Received 9.5 bUSDT of 10 bUSDT: check it in SMARTy Pay.',
    );
  });
});

/** An UnderPaid invoice of 10 bUSDT with 4 paid, and the remainder a customer asked for. */
async function partlyPaidSale() {
  const chat = newGroup();
  const original = await issueInvoice(h, chat, '/pay 10 bUSDT Tea');
  const cardId = original.row.cardMessageId as number;
  await sendAndApply(h, original.remote.id, { status: 'UnderPaid', paidAmount: '4' });
  await h.telegram.waitFor(() => botCalls(h, chat.id).length === 2, LONG);
  await h.telegram.waitFor(() => buttonsOf(cardOf(chat, cardId)?.reply_markup).length === 2, LONG);
  const before = h.smartypay.createdInvoices().length;
  // Two customers tap at once: one remainder.
  const taps = [CUSTOMER, MERCHANT].map((from) =>
    h.telegram.pressButton({ from, data: `v1:rest:${original.row.id}`, chatId: chat.id, messageId: cardId }),
  );
  await h.telegram.waitFor(() => taps.every((id) => h.telegram.callbackAnswer(id)), LONG);
  const answers = taps.map((id) => h.telegram.callbackAnswer(id)?.text).sort();
  expect(h.smartypay.createdInvoices()).toHaveLength(before + 1);
  const remote = h.smartypay.createdInvoices()[before];
  if (!remote) throw new Error('no remainder at SMARTy Pay');
  expect(remote).toMatchObject({ amount: '6', token: 'bUSDT' });
  const remainder = await waitForInvoice(h, remote.id, (r) => r.cardMessageId !== null);
  expect(remainder).toMatchObject({ remainderOfInvoiceId: original.row.id, payMessageId: null, amount: '6.00000000' });
  expect(answers).toEqual(
    [
      `The remaining amount already has invoice #${remainder.id}.`,
      `🧾 Invoice #${remainder.id} for the remaining 6 bUSDT issued.`,
    ].sort(),
  );
  const card = cardOf(chat, remainder.cardMessageId as number);
  expect(card?.reply_to_message_id).toBe(cardId);
  expect(card?.text).toContain(`The rest of invoice #${original.row.id}.`);
  expect(buttonsOf(card?.reply_markup)[0]).toEqual({ text: '💳 Pay 6 bUSDT', url: remainder.checkoutUrl });
  return { chat, original, cardId, remainder, remote };
}

describe('Pay the remaining', () => {
  it('the remainder completes the sale: one confirmation for the whole, replying to /pay; both cards show it', async () => {
    const { chat, original, cardId, remainder, remote } = await partlyPaidSale();
    const sentBefore = botCalls(h, chat.id).length;
    await sendAndApply(h, remote.id, { status: 'Paid', paidAmount: '6' });
    await h.telegram.waitFor(() => botCalls(h, chat.id).length === sentBefore + 1, LONG);
    const confirmation = botCalls(h, chat.id)[sentBefore];
    expect(confirmation?.params.text).toBe(
      '✅ Payment received: <b>10 bUSDT</b> (4 bUSDT + 6 bUSDT) for <i>“Tea”</i>.',
    );
    expect(confirmation?.params.reply_parameters.message_id).toBe(original.message.message_id);
    await h.telegram.waitFor(() => cardText(chat, cardId).includes('Paid in two parts'), LONG);
    expect(cardOf(chat, cardId)?.text).toContain(`✅ <b>Paid in two parts</b> · invoice #${original.row.id}`);
    expect(cardOf(chat, cardId)?.text).toContain('Received: <b>10 bUSDT</b> (4 bUSDT + 6 bUSDT)');
    expect(cardOf(chat, cardId)?.reply_markup).toBeUndefined();
    await h.telegram.waitFor(
      () => cardText(chat, remainder.cardMessageId as number).includes(`Paid</b> · invoice #${remainder.id}`),
      LONG,
    );

    // The original is still re-checked; the rest arriving on it as well is flagged, not confirmed again.
    expect((await rowOf(original.row.id))?.nextCheckAt).toBeInstanceOf(Date);
    await sendAndApply(h, original.remote.id, { status: 'Paid', paidAmount: '10' });
    await h.telegram.waitFor(() => botCalls(h, chat.id).length === sentBefore + 2, LONG);
    expect(botCalls(h, chat.id)[sentBefore + 1]?.params.text).toBe(
      `⚠️ Invoice #${original.row.id} has now been paid in full on its own: <b>10 bUSDT</b> received, although its rest ` +
        `was already paid with invoice #${remainder.id}. The customer paid more than due; settle the difference with them.`,
    );
    expect(texts(chat).filter((text) => text.startsWith('✅ Payment received'))).toHaveLength(1);
  });

  it('the original paid in full first: the remainder card says it is not needed; paying it anyway is flagged', async () => {
    const { chat, original, remainder, remote } = await partlyPaidSale();
    const sentBefore = botCalls(h, chat.id).length;
    await sendAndApply(h, original.remote.id, { status: 'Paid', paidAmount: '10' });
    await h.telegram.waitFor(() => botCalls(h, chat.id).length === sentBefore + 1, LONG);
    expect(botCalls(h, chat.id)[sentBefore]?.params.text).toBe(
      '✅ Payment received: <b>10 bUSDT</b> for <i>“Tea”</i>.',
    );
    const remainderCard = () => cardOf(chat, remainder.cardMessageId as number);
    await h.telegram.waitFor(() => (remainderCard()?.text ?? '').includes('No longer needed'), LONG);
    expect(remainderCard()?.text).toContain(
      `Invoice #${original.row.id} has been paid in full. Please do not pay this one.`,
    );
    expect(remainderCard()?.reply_markup).toBeUndefined();

    await sendAndApply(h, remote.id, { status: 'Paid', paidAmount: '6' });
    await h.telegram.waitFor(() => botCalls(h, chat.id).length === sentBefore + 2, LONG);
    const flag = botCalls(h, chat.id)[sentBefore + 1];
    expect(flag?.params.text).toBe(
      `⚠️ Invoice #${remainder.id} for the rest of #${original.row.id} was paid: <b>6 bUSDT</b>, but #${original.row.id} ` +
        'had already been paid in full. That is 6 bUSDT more than due; settle it with the customer.',
    );
    expect(flag?.params.reply_parameters.message_id).toBe(original.message.message_id);
  });

  it('is refused on a card with nothing left to pay', async () => {
    const chat = newGroup();
    const { row, remote } = await issueInvoice(h, chat, '/pay 3 bUSDT');
    await sendAndApply(h, remote.id, { status: 'Paid', paidAmount: '3' });
    await waitForInvoice(h, remote.id, (r) => r.status === 'Paid');
    const before = h.smartypay.createdInvoices().length;
    const answer = await h.telegram.tapButton({
      from: CUSTOMER,
      data: `v1:rest:${row.id}`,
      chatId: chat.id,
      messageId: row.cardMessageId as number,
    });
    expect(answer.text).toBe('Nothing is left to pay on this invoice.');
    expect(h.smartypay.createdInvoices()).toHaveLength(before);
  });
});

describe('a create that timed out', () => {
  it('leaves an Unconfirmed row and no card; a later webhook for it is adopted and confirmed once', async () => {
    const chat = newGroup();
    const before = h.smartypay.createdInvoices().length;
    h.smartypay.setLatency(1_500);
    const { message, update } = h.telegram.sendText({ chat, from: MERCHANT, text: '/pay 5 bUSDT Soup' });
    await h.telegram.waitFor(() => botCalls(h, chat.id).length === 1, LONG);
    h.smartypay.setLatency(0);
    expect(texts(chat)).toEqual([
      '⚠️ Sorry, SMARTy Pay did not confirm the invoice in time, so there is no invoice card. Please try again in a minute with a ' +
        'new /pay. If SMARTy Pay did create the invoice and it gets paid, I will confirm the payment here.',
    ]);
    // SMARTy Pay made it anyway, after the client gave up.
    expect(h.smartypay.createdInvoices()).toHaveLength(before + 1);
    const remote = h.smartypay.createdInvoices()[before];
    if (!remote) throw new Error('no remote invoice');
    const [row] = await h.db.select().from(invoices).where(eq(invoices.chatId, chat.id));
    expect(row).toMatchObject({
      status: 'Unconfirmed',
      smartyPayId: `unconfirmed:${chat.id}:${message.message_id}`,
      payMessageId: message.message_id,
      cardMessageId: null,
      nextCheckAt: null,
    });
    if (!row) throw new Error('no row');

    // Telegram delivers the same /pay again: no second invoice, no second apology. (One chat's updates are
    // handled in order, so the answer to /help comes after the repeated /pay was dealt with.)
    const { update_id: _, ...again } = update;
    h.telegram.pushUpdate(again);
    h.telegram.sendText({ chat, from: MERCHANT, text: '/help' });
    // The guide is the one message here that replies to nothing.
    const isHelpAnswer = (c: { params: Record<string, any> }) => c.params.reply_parameters === undefined;
    await h.telegram.waitFor(() => botCalls(h, chat.id).some(isHelpAnswer), LONG);
    expect(h.smartypay.createdInvoices()).toHaveLength(before + 1);
    const chatCalls = () => botCalls(h, chat.id).filter((c) => !isHelpAnswer(c));
    expect(chatCalls()).toHaveLength(1);

    const paid = await sendAndApply(h, remote.id, { status: 'Paid', paidAmount: '5' });
    expect(paid.outcome).toBe('applied');
    await h.telegram.waitFor(() => chatCalls().length === 2, LONG);
    const confirmation = chatCalls()[1];
    expect(confirmation?.params.text).toBe('✅ Payment received: <b>5 bUSDT</b> for <i>“Soup”</i>.');
    expect(confirmation?.params.reply_parameters.message_id).toBe(message.message_id);
    const adopted = await rowOf(row.id);
    expect(adopted).toMatchObject({ smartyPayId: remote.id, status: 'Paid' });
    expect(adopted?.checkoutUrl).toContain(remote.id);
    // Another Paid event: nothing more is queued; no card was ever sent or edited.
    const repeat = await sendAndApply(h, remote.id, { status: 'Paid', paidAmount: '5' });
    expect(repeat.outcome).toBe('stale');
    expect(chatCalls()).toHaveLength(2);
    expect(botCalls(h, chat.id, 'editMessageText')).toHaveLength(0);
    expect((await outboxRowsOf(h, row.id)).map((r) => [r.kind, r.status])).toEqual([
      ['paid_reply', 'sent'],
      ['card_paid', 'skipped'],
    ]);
  });
});
