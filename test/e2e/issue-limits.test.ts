import { afterEach, describe, expect, it } from 'vitest';
import { invoices } from '../../src/db/schema.js';
import { createTestClock } from '../support/clock.js';
import { botCalls, issueInvoice, MERCHANT, type TestChat, waitForInvoice } from '../support/flows.js';
import { type Harness, startHarness } from '../support/harness.js';

// The issue limits under concurrency: parallel /pay from many chats cannot overrun them, because each
// /pay takes its unit atomically (rate_quota) before SMARTy Pay is asked.

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const USER_LIMITED = "⏳ That's a lot of invoices: at most 10 a minute per person. Please try again in a minute.";
const BUSY =
  '⏳ The bot is making a lot of invoices right now, so no invoice was created. Please try again in a minute.';

/** Sends every /pay at once and returns each chat's first answer. */
async function payAtOnce(harness: Harness, senders: Array<{ chat: TestChat; from: typeof MERCHANT }>) {
  for (const { chat, from } of senders) harness.telegram.sendText({ chat, from, text: '/pay 1 bUSDT' });
  await harness.telegram.waitFor(() => senders.every(({ chat }) => botCalls(harness, chat.id).length > 0), 20_000);
  return senders.map(({ chat }) => String(botCalls(harness, chat.id)[0]?.params.text));
}

describe('PAY_RATE_LIMIT_PER_MINUTE', () => {
  it('20 parallel /pay by one merchant from 20 chats with a limit of 10 make exactly 10 invoices', async () => {
    h = await startHarness({ env: { PAY_RATE_LIMIT_PER_MINUTE: '10' } });
    h.smartypay.setLatency(100); // all 20 are past the check before the first invoice exists
    const senders = Array.from({ length: 20 }, (_, i) => ({
      chat: { id: -100_900_100 - i, type: 'supergroup' as const },
      from: MERCHANT,
    }));
    const answers = await payAtOnce(h, senders);
    expect(answers.filter((text) => text.includes('Invoice #'))).toHaveLength(10);
    expect(answers.filter((text) => text === USER_LIMITED)).toHaveLength(10);
    expect(h.smartypay.createdInvoices()).toHaveLength(10);
    expect(await h.db.select().from(invoices)).toHaveLength(10);
  });

  it('anonymous admins of two groups each get their own limit', async () => {
    const groups = [-100_900_201, -100_900_202].map((id) => ({ id, type: 'supergroup' as const, title: `G${id}` }));
    h = await startHarness({
      env: { PAY_RATE_LIMIT_PER_MINUTE: '1', MERCHANT_CHAT_IDS: groups.map((g) => g.id).join(',') },
    });
    let messageId = 1000;
    for (const group of groups) {
      for (let n = 0; n < 2; n++) {
        h.telegram.pushUpdate({
          message: {
            message_id: messageId++,
            date: Math.floor(Date.now() / 1000),
            chat: group,
            from: { id: 1_087_968_824, is_bot: true, first_name: 'Group', username: 'GroupAnonymousBot' },
            sender_chat: group,
            text: '/pay 2 bUSDT',
            entities: [{ type: 'bot_command', offset: 0, length: 4 }],
          },
        });
      }
    }
    const harness = h;
    await harness.telegram.waitFor(() => groups.every((group) => botCalls(harness, group.id).length === 2), 20_000);
    for (const group of groups) {
      const texts = botCalls(harness, group.id).map((call) => String(call.params.text));
      expect(
        texts.filter((text) => text.includes('Invoice #')),
        String(group.id),
      ).toHaveLength(1);
      expect(
        texts.filter((text) => text.startsWith("⏳ That's a lot of invoices: at most 1 a minute")),
        String(group.id),
      ).toHaveLength(1);
    }
    expect(h.smartypay.createdInvoices()).toHaveLength(2);
  });
});

describe('INVOICE_GLOBAL_LIMIT_PER_MINUTE', () => {
  it('20 merchants paying at once with a cap of 10 make exactly 10 invoices; the rest are told the bot is busy', async () => {
    const merchants = Array.from({ length: 20 }, (_, i) => ({
      id: 80_001 + i,
      first_name: `M${i}`,
      language_code: 'en',
    }));
    h = await startHarness({
      env: {
        MERCHANT_USER_IDS: merchants.map((m) => m.id).join(','),
        PAY_RATE_LIMIT_PER_MINUTE: '10',
        INVOICE_GLOBAL_LIMIT_PER_MINUTE: '10',
      },
    });
    const answers = await payAtOnce(
      h,
      merchants.map((from) => ({ chat: { id: from.id, type: 'private' as const }, from })),
    );
    expect(answers.filter((text) => text.includes('Invoice #'))).toHaveLength(10);
    expect(answers.filter((text) => text === BUSY)).toHaveLength(10);
    expect(h.smartypay.createdInvoices()).toHaveLength(10);
  });
});

describe('Issue again', () => {
  it('takes from the same limits as /pay: over the global cap the tap is told so and nothing is created', async () => {
    const clock = createTestClock();
    h = await startHarness({
      now: clock.now,
      env: {
        INVOICE_GLOBAL_LIMIT_PER_MINUTE: '1',
        RECHECK_INTERVAL_MS: '600000',
        TELEGRAM_GROUP_CHAT_INTERVAL_MS: '0',
      },
    });
    const chat: TestChat = { id: -100_900_301, type: 'supergroup' };
    const { row, remote } = await issueInvoice(h, chat);
    clock.advance(61 * 60_000);
    await h.app.workers.reconciler.tick();
    await waitForInvoice(h, remote.id, (r) => r.status === 'Expired');
    // Another /pay takes this minute's only invoice.
    await issueInvoice(h, { id: -100_900_302, type: 'supergroup' });
    const answer = await h.telegram.tapButton({
      from: MERCHANT,
      data: `v1:again:${row.id}`,
      chatId: chat.id,
      messageId: row.cardMessageId as number,
    });
    expect(answer.text).toBe(BUSY);
    expect(h.smartypay.createdInvoices()).toHaveLength(2);
  });
});

describe('SMARTYPAY_MAX_IN_FLIGHT', () => {
  it('30 /pay at once keep at most 5 SMARTy Pay requests open, and every one still gets its card', async () => {
    h = await startHarness({ env: { SMARTYPAY_MAX_IN_FLIGHT: '5', SMARTYPAY_TIMEOUT_MS: '10000' } });
    h.smartypay.setLatency(100);
    const senders = Array.from({ length: 30 }, (_, i) => ({
      chat: { id: -100_900_400 - i, type: 'supergroup' as const },
      from: MERCHANT,
    }));
    const answers = await payAtOnce(h, senders);
    expect(answers.filter((text) => text.includes('Invoice #'))).toHaveLength(30);
    expect(h.smartypay.maxInFlight()).toBe(5);
  });
});
