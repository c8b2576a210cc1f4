import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chatSettings, invoices, type OutboxRow } from '../../src/db/schema.js';
import { createTestClock } from '../support/clock.js';
import { botCalls, issueInvoice, outboxRowsOf, type TestChat, waitUntil } from '../support/flows.js';
import { type Harness, sendAndApply, settle, startHarness } from '../support/harness.js';

// Telegram side of the delivery guarantees: the outbox worker against a fake Bot API that fails
// the way Telegram does. The clock is injected, so "wait 24 hours" takes no time.

const clock = createTestClock();
let h: Harness;
let nextChatId = 500_000;
const privateChat = (): TestChat => ({ id: ++nextChatId, type: 'private' });

beforeAll(async () => {
  // Chat pacing off here, so the retry timing under test is the backoff alone (pacing has its own test).
  h = await startHarness({
    now: clock.now,
    env: { TELEGRAM_PRIVATE_CHAT_INTERVAL_MS: '0', TELEGRAM_GROUP_CHAT_INTERVAL_MS: '0' },
  });
});
afterAll(async () => {
  await h?.close();
});
afterEach(() => {
  h.telegram.clearFaults();
});

/** Moves the clock and sends whatever is due by then: afterwards nothing is due or being sent. */
async function advance(ms: number) {
  clock.advance(ms);
  await settle(h.app);
}

const delivered = (chatId: number) => h.telegram.messages(chatId);

/** The worker records a failure after Telegram answered; wait for that before moving the clock. */
async function waitForReply(invoiceId: number, ready: (row: OutboxRow) => boolean): Promise<OutboxRow> {
  let found: OutboxRow | undefined;
  await waitUntil(
    async () => {
      found = (await outboxRowsOf(h, invoiceId)).find((r) => r.kind === 'paid_reply') as OutboxRow | undefined;
      return found !== undefined && ready(found);
    },
    5_000,
    () => `the reply notification state (last seen: ${JSON.stringify(found)})`,
  );
  return found as OutboxRow;
}

describe('outbox against Telegram failures', () => {
  it('8. 429 retry_after N → nothing resent before N seconds, then delivered once', async () => {
    const chat = privateChat();
    const { remote, row } = await issueInvoice(h, chat);
    h.telegram.failNext('sendMessage', {
      status: 429,
      description: 'Too Many Requests: retry after 7',
      parameters: { retry_after: 7 },
    });
    await sendAndApply(h, remote.id, { status: 'Paid' });
    await h.telegram.waitFor(() => botCalls(h, chat.id).length === 2); // card + the 429'd attempt
    await waitForReply(row.id, (r) => r.status === 'pending' && r.attempts === 1);

    await advance(6_500);
    expect(botCalls(h, chat.id)).toHaveLength(2);
    const [reply] = (await outboxRowsOf(h, row.id)).filter((r) => r.kind === 'paid_reply');
    expect(reply?.status).toBe('pending');
    expect(reply?.lastError).toContain('429');

    await advance(1_000);
    await h.telegram.waitFor(() => botCalls(h, chat.id).length === 3);
    await settle(h.app);
    expect(botCalls(h, chat.id)).toHaveLength(3);
    expect(delivered(chat.id).filter((m) => m.text.includes('Payment received'))).toHaveLength(1);
  });

  it('9. 5xx and network errors → exponential backoff with jitter, then failed and logged, never forever', async () => {
    const chat = privateChat();
    const { remote, row } = await issueInvoice(h, chat);
    // The first try, six retries, and the last one a day later: eight refusals in all.
    h.telegram.failNext('sendMessage', { status: 502, description: 'Bad Gateway' }, 8);
    await sendAndApply(h, remote.id, { status: 'Paid' });
    await h.telegram.waitFor(() => botCalls(h, chat.id).length === 2);
    await waitForReply(row.id, (r) => r.status === 'pending' && r.attempts === 1);

    // Not before the backoff: the first retry comes 0.5–1 s later, the next 1–2 s, then 2–4 s …
    await advance(400);
    expect(botCalls(h, chat.id)).toHaveLength(2);
    const gaps: number[] = [];
    for (let attempt = 1; attempt <= 6; attempt++) {
      const before = await waitForReply(row.id, (r) => r.status === 'pending' && r.attempts === attempt);
      const due = (before?.nextAttemptAt.getTime() ?? 0) - clock.now().getTime();
      gaps.push(due);
      await advance(Math.max(0, due) + 1);
      await h.telegram.waitFor(() => botCalls(h, chat.id).length === 2 + attempt);
    }
    // Each wait lies in [ceiling/2, ceiling] for ceiling = 1 s · 2^(attempt-1) (minus the 400 ms already passed).
    gaps.forEach((gap, i) => {
      const ceiling = 1000 * 2 ** i - (i === 0 ? 400 : 0);
      expect(gap).toBeLessThanOrEqual(ceiling);
      expect(gap).toBeGreaterThanOrEqual(ceiling / 2 - 400);
    });

    // A day later it gives up for good, says so in the log, and stops trying.
    await advance(25 * 3_600_000);
    await waitUntil(
      async () => (await outboxRowsOf(h, row.id)).find((r) => r.kind === 'paid_reply')?.status === 'failed',
      5_000,
      'the notification to fail',
    );
    const attempts = botCalls(h, chat.id).length;
    await advance(3_600_000);
    expect(botCalls(h, chat.id)).toHaveLength(attempts);
    const failure = h.logs.find('notification failed for good').find((line) => line.chatId === chat.id);
    expect(failure?.level).toBe(50); // pino "error"
    expect(String(failure?.note)).toContain('502');
  });

  it('10. 403 blocked or 400 chat not found → permanent failure after one attempt', async () => {
    for (const fault of [
      { status: 403, description: 'Forbidden: bot was blocked by the user' },
      { status: 400, description: 'Bad Request: chat not found' },
    ]) {
      const chat = privateChat();
      const { remote, row } = await issueInvoice(h, chat);
      h.telegram.failNext('sendMessage', fault); // a retry would succeed, and show up below
      await sendAndApply(h, remote.id, { status: 'Paid' });
      await waitUntil(
        async () => (await outboxRowsOf(h, row.id)).find((r) => r.kind === 'paid_reply')?.status === 'failed',
        5_000,
        'permanent failure',
      );
      await advance(3_600_000);
      expect(botCalls(h, chat.id)).toHaveLength(2); // the card and the one refused attempt
      const [reply] = (await outboxRowsOf(h, row.id)).filter((r) => r.kind === 'paid_reply');
      expect(reply?.attempts).toBe(1);
      expect(reply?.lastError).toContain(String(fault.status));
    }
  });

  it('11. migrate_to_chat_id → chat id updated on the invoices, message delivered once in the new chat', async () => {
    const oldChat: TestChat = { id: -++nextChatId, type: 'group', title: 'Old group' };
    const newChatId = -1_000_000_000_000 - nextChatId;
    const { remote, row } = await issueInvoice(h, oldChat);
    // The chat's language choice travels with it.
    await h.db.insert(chatSettings).values({ chatId: oldChat.id, locale: 'ru' });
    h.telegram.failNext('sendMessage', {
      status: 400,
      description: 'Bad Request: group chat was upgraded to a supergroup chat',
      parameters: { migrate_to_chat_id: newChatId },
    });
    await sendAndApply(h, remote.id, { status: 'Paid' });
    await h.telegram.waitFor(() => botCalls(h, newChatId).length === 1);
    await settle(h.app);
    expect(delivered(newChatId).filter((m) => m.text.includes('Оплата получена'))).toHaveLength(1);
    expect(delivered(oldChat.id).filter((m) => m.text.includes('Оплата получена'))).toHaveLength(0);
    const [moved] = await h.db.select().from(invoices).where(eq(invoices.id, row.id));
    expect(moved?.chatId).toBe(newChatId);
    expect(await h.db.select().from(chatSettings).where(eq(chatSettings.chatId, newChatId))).toHaveLength(1);
  });

  it('12. a deleted /pay message still gets its confirmation; "message is not modified" counts as done', async () => {
    const chat = privateChat();
    const { message, remote, row } = await issueInvoice(h, chat);
    h.telegram.deleteMessage(chat.id, message.message_id);
    h.telegram.failNext('editMessageText', {
      status: 400,
      description:
        'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
    });
    await sendAndApply(h, remote.id, { status: 'Paid' });
    await h.telegram.waitFor(() => botCalls(h, chat.id).length === 2);
    await waitUntil(
      async () => (await outboxRowsOf(h, row.id)).every((r) => r.status === 'sent'),
      5_000,
      'both notifications to be done',
    );
    expect(delivered(chat.id).filter((m) => m.text.includes('Payment received'))).toHaveLength(1);
    const rows = await outboxRowsOf(h, row.id);
    expect(rows.map((r) => [r.kind, r.status, r.attempts])).toEqual([
      ['new_card', 'sent', 1],
      ['paid_reply', 'sent', 1],
      ['card_paid', 'sent', 1],
    ]);
    await advance(60_000);
    expect(botCalls(h, chat.id, 'editMessageText')).toHaveLength(1);
  });

  it('a stuck outbox is visible: backlog age and failures by reason', async () => {
    const chat = privateChat();
    const { remote, row } = await issueInvoice(h, chat);
    h.telegram.failNext('sendMessage', { status: 500, description: 'Internal Server Error' });
    await sendAndApply(h, remote.id, { status: 'Paid' });
    await h.telegram.waitFor(() => botCalls(h, chat.id).length === 2);
    await waitForReply(row.id, (r) => r.status === 'pending' && r.attempts === 1);
    clock.advance(10 * 60_000); // not woken: the retry stays due but unsent for now
    const state = await h.app.workers.outboxMonitor.snapshot();
    expect(state.pending).toBeGreaterThanOrEqual(1);
    expect(state.oldestPendingAgeMs).toBeGreaterThanOrEqual(10 * 60_000);
    const reasons = Object.keys(state.failedByReason).join('\n');
    expect(reasons).toContain('403 Forbidden: bot was blocked by the user'); // from test 10
    expect(reasons).toContain('400 Bad Request: chat not found'); // from test 10
    h.app.workers.outbox.wake();
    await h.telegram.waitFor(() => botCalls(h, chat.id).length === 3);
  });
});
