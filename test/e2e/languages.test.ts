import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestClock } from '../support/clock.js';
import { botCalls, issueInvoice, MERCHANT, type TestChat, waitForInvoice } from '../support/flows.js';
import { type Harness, sendAndApply, startHarness } from '../support/harness.js';

// After /lang, messages already sent are not rewritten into the new language: edits of a card (paid, refreshed
// by Check status) stay in the language it was sent in; new messages (the payment reply) use the chat's choice.

const clock = createTestClock(Date.UTC(2026, 10, 26, 8, 20));
let h: Harness;
let nextChatId = -1_009_000;
const newGroup = (): TestChat => ({ id: --nextChatId, type: 'supergroup', title: 'Shop' });
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

async function say(chat: TestChat, text: string, from = MERCHANT): Promise<string> {
  const { message } = h.telegram.sendText({ chat, from, text });
  const answer = () => botCalls(h, chat.id).find((c) => c.params.reply_parameters?.message_id === message.message_id);
  await h.telegram.waitFor(() => answer() !== undefined);
  return answer()?.params.text;
}

describe('/lang and cards already sent', () => {
  it('card sent in English, /lang ru, payment arrives: the reply is Russian, the card edit stays English', async () => {
    const chat = newGroup();
    const { row, remote } = await issueInvoice(h, chat, '/pay 2.5 bUSDT Tea');
    expect(row.locale).toBe('en');
    expect(await say(chat, '/lang ru')).toBe(
      'Готово: теперь в этом чате я говорю по-русски. Уже отправленные сообщения останутся как были.',
    );

    // Check status on the old card refreshes its countdown, in English.
    clock.advance(MINUTE);
    const cardId = row.cardMessageId as number;
    const tapped = await h.telegram.tapButton({
      from: MERCHANT,
      data: `v1:chk:${row.id}`,
      chatId: chat.id,
      messageId: cardId,
    });
    expect(tapped.text).toBe('⏳ Оплата ещё не поступила.'); // the tap's answer is new text: the chat's language
    const card = () => h.telegram.messages(chat.id).find((m) => m.message_id === cardId);
    expect(card()?.text.split('\n')).toEqual([
      `🧾 <b>Invoice #${row.id}</b>`,
      '<b>2.5 bUSDT</b>',
      'Expires: 26 Nov 2026, 09:20 UTC (in 59 min)',
      'For: <i>“Tea”</i>',
      '',
      'Pay with crypto through SMARTy Pay. This card updates when the payment arrives.',
    ]);

    await sendAndApply(h, remote.id, { status: 'Paid', paidAmount: '2.5' });
    await waitForInvoice(h, remote.id, (r) => r.status === 'Paid');
    await h.telegram.waitFor(() => botCalls(h, chat.id, 'editMessageText').length === 2);
    await h.telegram.waitFor(() => h.telegram.messages(chat.id).some((m) => m.text.startsWith('✅ Оплата')));
    expect(h.telegram.messages(chat.id).find((m) => m.text.startsWith('✅ Оплата'))?.text).toBe(
      '✅ Оплата получена: <b>2,5 bUSDT</b> за <i>«Tea»</i>.',
    );
    expect(card()?.text).toBe(
      [
        `✅ <b>Paid</b> · invoice #${row.id}`,
        '<b>2.5 bUSDT</b>',
        'Received: <b>2.5 bUSDT</b>',
        'For: <i>“Tea”</i>',
      ].join('\n'),
    );

    // A card sent after /lang is Russian.
    const text = await say(chat, '/pay 1.25 bUSDT');
    expect(text.split('\n').slice(0, 3)).toEqual([
      `🧾 <b>Счёт №${row.id + 1}</b>`,
      '<b>1,25 bUSDT</b>',
      'Истекает: 26 нояб. 2026, 09:21 UTC (через 60 мин)',
    ]);
  });
});
