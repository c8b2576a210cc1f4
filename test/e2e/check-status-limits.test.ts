import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { invoices } from '../../src/db/schema.js';
import { createTestClock } from '../support/clock.js';
import type { TestChat } from '../support/flows.js';
import { type Harness, startHarness } from '../support/harness.js';

// 🔄 Check status cannot bypass the re-check bound: each tap spends the tapper's own per-minute limit and
// the RECHECK_MAX_PER_MINUTE budget the reconciler uses; over either, a friendly answer and no GET.

// One app for both cases (starting one is most of a case's cost): a budget of 6 checks a minute is more than one
// customer's 5 and less than the taps of many; each case starts in a fresh minute of the frozen clock.
const RECHECK_MAX = 6;
const clock = createTestClock();
let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    now: clock.now,
    env: { RECHECK_MAX_PER_MINUTE: String(RECHECK_MAX), RECHECK_INTERVAL_MS: '600000' },
  });
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => {
  clock.advance(2 * 60_000);
});

const LIMITED =
  "⏳ You've checked a lot of invoices: at most 5 a minute. The card updates by itself when the payment arrives.";
const BUSY = '⏳ Lots of checks right now. The card updates by itself when the payment arrives; try again in a minute.';

async function openInvoices(harness: Harness, chat: TestChat, count: number, due = false) {
  const rows = Array.from({ length: count }, (_, n) => ({
    smartyPayId: `sp-${chat.id}-${n}`,
    chatId: chat.id,
    notifyChatId: chat.id,
    payMessageId: n + 1,
    amount: '1',
    token: 'bUSDT',
    status: 'Created' as const,
    checkoutUrl: 'https://checkout.example/',
    expiresAt: new Date(Date.now() + 3_600_000),
    nextCheckAt: due ? new Date(0) : null,
  }));
  return harness.db.insert(invoices).values(rows).returning({ id: invoices.id });
}

/** A bot message in the chat to hang the taps on (the card buttons name the invoice in their data). */
async function botMessageIn(harness: Harness, chat: TestChat): Promise<number> {
  harness.telegram.sendText({ chat, from: { id: 1, first_name: 'X' }, text: '/tokens' });
  await harness.telegram.waitFor(() => harness.telegram.messages(chat.id).length > 0);
  return harness.telegram.messages(chat.id)[0]?.message_id as number;
}

const gets = (harness: Harness) => harness.smartypay.requests.filter((r) => r.method === 'GET');

async function tapAll(
  harness: Harness,
  chat: TestChat,
  messageId: number,
  taps: Array<{ userId: number; id: number }>,
) {
  const queries = taps.map(({ userId, id }) =>
    harness.telegram.pressButton({
      from: { id: userId, first_name: 'C' },
      data: `v1:chk:${id}`,
      chatId: chat.id,
      messageId,
    }),
  );
  await harness.telegram.waitFor(() => queries.every((q) => harness.telegram.callbackAnswer(q)), 20_000);
  return queries.map((q) => String(harness.telegram.callbackAnswer(q)?.text));
}

describe('CHECK_STATUS_PER_USER_PER_MINUTE', () => {
  it('one customer tapping 100 cards in 10 chats at once makes 5 GETs; 95 taps are told the limit; a minute later again', async () => {
    const harness = h;
    const before = gets(h).length;
    const chats: TestChat[] = Array.from({ length: 10 }, (_, i) => ({ id: -100_950_100 - i, type: 'supergroup' }));
    const cards = await Promise.all(
      chats.map(async (chat) => ({
        chat,
        rows: await openInvoices(harness, chat, 10),
        messageId: await botMessageIn(harness, chat),
      })),
    );
    const answers = (
      await Promise.all(
        cards.map(({ chat, rows, messageId }) =>
          tapAll(
            harness,
            chat,
            messageId,
            rows.map(({ id }) => ({ userId: 555, id })),
          ),
        ),
      )
    ).flat();
    expect(gets(h)).toHaveLength(before + 5);
    expect(answers.filter((text) => text === LIMITED)).toHaveLength(95);
    // Another customer has their own limit.
    const [first] = cards;
    if (!first) throw new Error('no cards');
    await tapAll(h, first.chat, first.messageId, [{ userId: 556, id: first.rows[9]?.id as number }]);
    expect(gets(h)).toHaveLength(before + 6);
    clock.advance(61_000);
    await tapAll(h, first.chat, first.messageId, [{ userId: 555, id: first.rows[5]?.id as number }]);
    expect(gets(h)).toHaveLength(before + 7);
  });
});

describe('RECHECK_MAX_PER_MINUTE', () => {
  it('taps and the reconciler share one budget: taps past it are told so, and the reconciler waits', async () => {
    const before = gets(h).length;
    const chat: TestChat = { id: -100_950_002, type: 'supergroup' };
    // Each tap by another customer, so only the shared budget can refuse one.
    const rows = await openInvoices(h, chat, RECHECK_MAX + 2);
    await openInvoices(h, { id: -100_950_003, type: 'supergroup' }, 1, true); // due for a re-check
    const messageId = await botMessageIn(h, chat);
    const answers = await tapAll(
      h,
      chat,
      messageId,
      rows.map(({ id }, n) => ({ userId: 600 + n, id })),
    );
    expect(gets(h)).toHaveLength(before + RECHECK_MAX);
    expect(answers.filter((text) => text === BUSY)).toHaveLength(2);
    expect(await h.app.workers.reconciler.tick()).toBe(0);
    clock.advance(61_000);
    expect(await h.app.workers.reconciler.tick()).toBe(1);
    expect(gets(h)).toHaveLength(before + RECHECK_MAX + 1);
  });
});
