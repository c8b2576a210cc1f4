import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoices } from '../../src/db/schema.js';
import { createTestClock } from '../support/clock.js';
import { botCalls, issueInvoice, MERCHANT, outboxRowsOf, type TestChat, waitForInvoice } from '../support/flows.js';
import { type Harness, sendAndApply, settle, startHarness } from '../support/harness.js';

// An invoice's life in the chat after /pay: /cancel (and a payment that comes anyway), the reminder
// before expiry, and the texts for partial, excess and failed payments. Frozen clock, reconciler ticked by hand.

const clock = createTestClock();
let h: Harness;
let nextChatId = -1_006_000;
const newGroup = (): TestChat => ({ id: --nextChatId, type: 'supergroup', title: 'Shop' });
const CUSTOMER = { id: 778, first_name: 'Customer', language_code: 'en' };
const MINUTE = 60_000;

beforeAll(async () => {
  h = await startHarness({
    now: clock.now,
    env: { RECHECK_INTERVAL_MS: '600000', TELEGRAM_GROUP_CHAT_INTERVAL_MS: '0', REMINDER_MINUTES: '10' },
  });
});
afterAll(async () => {
  await h?.close();
});

const rowOf = async (id: number) => (await h.db.select().from(invoices).where(eq(invoices.id, id)))[0];

/** Sends a command and returns the bot's reply to it. */
async function command(chat: TestChat, text: string, replyTo?: number, from = MERCHANT) {
  const { message } = h.telegram.sendText({ chat, from, text, replyTo });
  await h.telegram.waitFor(() =>
    botCalls(h, chat.id).some((c) => c.params.reply_parameters?.message_id === message.message_id),
  );
  return botCalls(h, chat.id).find((c) => c.params.reply_parameters?.message_id === message.message_id);
}

describe('/cancel', () => {
  it('as a reply to the card: cancels locally, removes Pay; a payment afterwards is recorded and announced', async () => {
    const chat = newGroup();
    const { row, remote } = await issueInvoice(h, chat, '/pay 5 bUSDT Tea');
    const cardId = row.cardMessageId as number;
    const reply = await command(chat, '/cancel', cardId);
    expect(reply?.params.text).toContain(`Invoice #${row.id} is cancelled`);

    await h.telegram.waitFor(() => botCalls(h, chat.id, 'editMessageText').length === 1, 10_000);
    const edit = botCalls(h, chat.id, 'editMessageText')[0];
    expect(edit?.params.message_id).toBe(cardId);
    expect(edit?.params.text).toContain(`Cancelled</b> · invoice #${row.id}`);
    expect(edit?.params.reply_markup).toBeUndefined();
    const cancelled = await rowOf(row.id);
    expect(cancelled).toMatchObject({ status: 'Cancelled', cancelledByUserId: MERCHANT.id });
    expect(cancelled?.cancelledAt).toBeInstanceOf(Date);
    // Still re-checked until expiry, so a payment whose webhook is lost is found too.
    expect(cancelled?.nextCheckAt).toBeInstanceOf(Date);
    expect(cancelled?.remindAt).toBeNull();

    // Expiry does not override Cancelled.
    await sendAndApply(h, remote.id, { status: 'Expired' });
    expect((await rowOf(row.id))?.status).toBe('Cancelled');

    // The customer pays anyway.
    await sendAndApply(h, remote.id, { status: 'Paid', paidAmount: '5' });
    // The card edit and the reply are paced separately (a group gets one new message per ~3 s): wait for both.
    const lateReply = () => botCalls(h, chat.id).find((c) => c.params.text.includes('after the invoice was cancelled'));
    await h.telegram.waitFor(
      () => botCalls(h, chat.id, 'editMessageText').length === 2 && lateReply() !== undefined,
      10_000,
    );
    const late = lateReply();
    expect(late?.params.text).toContain(
      'Payment received after the invoice was cancelled: <b>5 bUSDT</b> for <i>“Tea”</i>.',
    );
    expect(late?.params.reply_parameters.message_id).toBe(row.payMessageId);
    expect(botCalls(h, chat.id, 'editMessageText')[1]?.params.text).toContain('Paid</b>');
    expect((await rowOf(row.id))?.status).toBe('Paid');
    expect((await outboxRowsOf(h, row.id)).map((r) => r.kind).sort()).toEqual([
      'card_cancelled',
      'card_paid',
      'new_card',
      'paid_reply',
    ]);
  });

  it('with a number; refuses customers, unknown numbers, paid and already cancelled invoices, changing nothing', async () => {
    const chat = newGroup();
    const { row } = await issueInvoice(h, chat, '/pay 3 bUSDT');

    const refused = await command(chat, `/cancel ${row.id}`, undefined, CUSTOMER);
    expect(refused?.params.text).toBeTruthy();
    expect((await rowOf(row.id))?.status).toBe('Created');

    expect((await command(chat, '/cancel'))?.params.text).toBe(
      'Which invoice? Send <code>/cancel 12</code>, or reply <code>/cancel</code> to its card.',
    );
    expect((await command(chat, '/cancel twelve', undefined, { ...MERCHANT, language_code: 'ru' }))?.params.text).toBe(
      'Какой счёт? Отправьте <code>/cancel 12</code> или ответьте <code>/cancel</code> на его карточку.',
    );
    expect((await command(chat, '/cancel 999999'))?.params.text).toBe("I can't find invoice #999999 in this chat.");

    expect((await command(chat, `/cancel ${row.id}`))?.params.text).toContain(`Invoice #${row.id} is cancelled`);
    expect((await command(chat, `/cancel #${row.id}`))?.params.text).toBe(`Invoice #${row.id} is already cancelled.`);

    const paidChat = newGroup();
    const paid = await issueInvoice(h, paidChat, '/pay 1 bUSDT');
    await sendAndApply(h, paid.remote.id, { status: 'Paid' });
    await waitForInvoice(h, paid.remote.id, (r) => r.status === 'Paid');
    expect((await command(paidChat, `/cancel ${paid.row.id}`))?.params.text).toBe(
      `Invoice #${paid.row.id} is already paid; nothing changed.`,
    );
    // A partly paid invoice names its status as /status does, not SMARTy Pay's code.
    const partChat = newGroup();
    const part = await issueInvoice(h, partChat, '/pay 2 bUSDT');
    await sendAndApply(h, part.remote.id, { status: 'UnderPaid', paidAmount: '1' });
    await waitForInvoice(h, part.remote.id, (r) => r.status === 'UnderPaid');
    expect((await command(partChat, `/cancel ${part.row.id}`))?.params.text).toBe(
      `Invoice #${part.row.id} can no longer be cancelled (status: ⚠️ Partly paid); nothing changed.`,
    );
    const russian = { ...MERCHANT, language_code: 'ru' };
    expect((await command(partChat, `/cancel ${part.row.id}`, undefined, russian))?.params.text).toBe(
      `Счёт №${part.row.id} уже нельзя отменить (статус: ⚠️ Оплачен частично); ничего не изменено.`,
    );
    // Another chat's invoice is not found here.
    expect((await command(chat, `/cancel ${paid.row.id}`))?.params.text).toContain('find invoice');
    expect((await rowOf(paid.row.id))?.cancelledAt).toBeNull();
  });

  it('only /cancel cancels: a webhook saying "Cancelled" changes nothing', async () => {
    const chat = newGroup();
    const { row, remote } = await issueInvoice(h, chat, '/pay 4 bUSDT');
    const response = await sendAndApply(h, remote.id, { status: 'Cancelled' });
    expect(response.status).toBe(200);
    expect(await rowOf(row.id)).toMatchObject({ status: 'Created', cancelledAt: null });
    // Only the card itself was ever queued.
    expect((await outboxRowsOf(h, row.id)).map((r) => r.kind)).toEqual(['new_card']);
  });

  it('a payment after /cancel whose webhook is lost is found by the scheduled re-check', async () => {
    const chat = newGroup();
    const { row, remote } = await issueInvoice(h, chat, '/pay 2 bUSDT');
    await command(chat, `/cancel ${row.id}`);
    h.smartypay.setStatus(remote.id, 'Paid', '2');
    clock.advance(2 * MINUTE);
    await h.app.workers.reconciler.tick();
    await waitForInvoice(h, remote.id, (r) => r.status === 'Paid');
    await h.telegram.waitFor(() =>
      botCalls(h, chat.id).some((c) => c.params.text.includes('after the invoice was cancelled')),
    );
  });
});

describe('reminder before expiry', () => {
  it('is sent once, REMINDER_MINUTES before expiry, replying to /pay with a Pay button', async () => {
    const chat = newGroup();
    const { row, message, remote } = await issueInvoice(h, chat, '/pay 6 bUSDT Soup');
    expect(row.remindAt?.getTime()).toBe(row.expiresAt.getTime() - 10 * MINUTE);
    const tick = () => h.app.workers.reconciler.tick();
    const reminders = () => botCalls(h, chat.id).filter((c) => c.params.text.startsWith('⏰'));

    clock.advance(49 * MINUTE);
    await tick();
    await waitForInvoice(h, remote.id, (r) => r.remindAt !== null);
    clock.advance(2 * MINUTE);
    await tick();
    await h.telegram.waitFor(() => reminders().length === 1);
    // Marked sent before the clock moves on: a row still 'sending' when the clock jumps past its 30 s lease (the
    // lease runs on the same clock) would be taken again and sent twice, which is the lease doing its job.
    await settle(h.app);
    await tick();
    clock.advance(MINUTE);
    await tick();
    await settle(h.app); // a second reminder, had one been queued, is sent by now
    expect(reminders()).toHaveLength(1);
    const reminder = reminders()[0];
    expect(reminder?.params.text).toBe(
      `⏰ Reminder: invoice #${row.id} for <b>6 bUSDT</b> for <i>“Soup”</i> expires in 9 min (${formatAt(row.expiresAt)}).`,
    );
    expect(reminder?.params.reply_parameters.message_id).toBe(message.message_id);
    expect(reminder?.params.reply_markup.inline_keyboard.flat()).toEqual([
      { text: '💳 Pay 6 bUSDT', url: row.checkoutUrl },
    ]);
    expect((await rowOf(row.id))?.remindAt).toBeNull();
  });

  it('is not sent for an invoice paid or cancelled before it is due', async () => {
    const chat = newGroup();
    const paid = await issueInvoice(h, chat, '/pay 1 bUSDT');
    const cancelled = await issueInvoice(h, newGroup(), '/pay 1 bUSDT');
    await sendAndApply(h, paid.remote.id, { status: 'Paid' });
    await waitForInvoice(h, paid.remote.id, (r) => r.status === 'Paid' && r.remindAt === null);
    await command({ id: cancelled.row.notifyChatId, type: 'supergroup' }, `/cancel ${cancelled.row.id}`);
    expect((await rowOf(cancelled.row.id))?.remindAt).toBeNull();
    clock.advance(55 * MINUTE);
    await h.app.workers.reconciler.tick();
    expect((await outboxRowsOf(h, paid.row.id)).some((r) => r.kind === 'reminder_reply')).toBe(false);
    expect((await outboxRowsOf(h, cancelled.row.id)).some((r) => r.kind === 'reminder_reply')).toBe(false);
  });
});

describe('payment wording', () => {
  it('states paid vs due for a partial payment and what happens next; notes excess; is honest about failure', async () => {
    const under = newGroup();
    const a = await issueInvoice(h, under, '/pay 5 bUSDT');
    await sendAndApply(h, a.remote.id, { status: 'UnderPaid', paidAmount: '2' });
    await h.telegram.waitFor(() => botCalls(h, under.id).length === 2, 10_000);
    const underText = botCalls(h, under.id)[1]?.params.text as string;
    expect(underText.split('\n')).toEqual([
      '⚠️ Partly paid: <b>2 bUSDT</b> of <b>5 bUSDT</b> received, 3 bUSDT missing.',
      "The customer can pay the rest with “Pay the remaining” on the card; I'll confirm here when it arrives.",
    ]);

    const over = newGroup();
    const b = await issueInvoice(h, over, '/pay 5 bUSDT');
    await sendAndApply(h, b.remote.id, { status: 'OverPaid', paidAmount: '6' });
    await h.telegram.waitFor(() => botCalls(h, over.id).length === 2, 10_000);
    expect(botCalls(h, over.id)[1]?.params.text).toBe(
      '✅ Payment received: <b>6 bUSDT</b>. That is 1 bUSDT more than the 5 bUSDT due; settle the difference with the customer.',
    );

    const invalid = newGroup();
    const c = await issueInvoice(h, invalid, '/pay 5 bUSDT Tea');
    await sendAndApply(h, c.remote.id, { status: 'Invalid' });
    await h.telegram.waitFor(() => botCalls(h, invalid.id).length === 2, 10_000);
    expect(botCalls(h, invalid.id)[1]?.params.text).toContain(
      'The payment for <i>“Tea”</i> failed: SMARTy Pay marked it invalid and nothing was credited to you.',
    );
  });
});

function formatAt(date: Date): string {
  const month = date.toLocaleString('en-GB', { month: 'short', timeZone: 'UTC' });
  const hh = String(date.getUTCHours()).padStart(2, '0');
  const mm = String(date.getUTCMinutes()).padStart(2, '0');
  return `${date.getUTCDate()} ${month} ${date.getUTCFullYear()}, ${hh}:${mm} UTC`;
}
