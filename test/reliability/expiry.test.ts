import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoices } from '../../src/db/schema.js';
import { createTestClock } from '../support/clock.js';
import { botCalls, issueInvoice, MERCHANT, type TestChat, waitForInvoice } from '../support/flows.js';
import { type Harness, sendAndApply, startHarness } from '../support/harness.js';

// SMARTy Pay sends no webhook on expiry and may lose a Paid one: the bot asks it (signed GET) on a
// schedule and at expiry. The clock is injected and the reconciler ticked by hand.

const clock = createTestClock();
let h: Harness;
let nextChatId = 700_000;
const privateChat = (): TestChat => ({ id: ++nextChatId, type: 'private' });
const MINUTE = 60_000;

beforeAll(async () => {
  h = await startHarness({
    now: clock.now,
    // The background loop stays out of the way; tests call tick() themselves.
    env: { RECHECK_INTERVAL_MS: '600000', RECHECK_MAX_PER_MINUTE: '3', TELEGRAM_PRIVATE_CHAT_INTERVAL_MS: '0' },
  });
});
afterAll(async () => {
  await h?.close();
});

const gets = () => h.smartypay.requests.filter((r) => r.method === 'GET');
const tick = () => h.app.workers.reconciler.tick();
const rowOf = async (id: number) => (await h.db.select().from(invoices).where(eq(invoices.id, id)))[0];

describe('expiry and reconciliation', () => {
  it('15a. at expiry, still unpaid at SMARTy Pay → Expired, card says so and loses its Pay button', async () => {
    const chat = privateChat();
    const { row, remote } = await issueInvoice(h, chat);
    clock.advance(60 * MINUTE);
    expect(await tick()).toBe(1);
    expect(gets().at(-1)?.path).toBe(`/integration/invoices/${remote.id}`);
    expect(gets().at(-1)?.status).toBe(200);
    const expired = await waitForInvoice(h, remote.id, (r) => r.status === 'Expired');
    expect(expired.nextCheckAt).toBeNull();
    await h.telegram.waitFor(() => botCalls(h, chat.id, 'editMessageText').length === 1);
    const edit = botCalls(h, chat.id, 'editMessageText')[0];
    expect(edit?.params.message_id).toBe(row.cardMessageId);
    expect(edit?.params.text).toContain('Expired');
    // No Pay button; only "Issue again" (test/e2e/card-buttons.test.ts).
    expect(edit?.params.reply_markup.inline_keyboard.flat().map((b: { url?: string }) => b.url)).toEqual([undefined]);
    expect(botCalls(h, chat.id)).toHaveLength(1); // no message besides the card
  });

  it('15b. at expiry SMARTy Pay says Paid after all (the webhook was lost) → confirmed', async () => {
    const chat = privateChat();
    const { remote } = await issueInvoice(h, chat);
    h.smartypay.setStatus(remote.id, 'Paid', '5');
    clock.advance(60 * MINUTE);
    await tick();
    await waitForInvoice(h, remote.id, (r) => r.status === 'Paid');
    await h.telegram.waitFor(() => botCalls(h, chat.id).length === 2);
    expect(botCalls(h, chat.id)[1]?.params.text).toContain('Payment received');
    expect(botCalls(h, chat.id)[1]?.params.text).not.toContain('expired');
  });

  it('15c. a Paid webhook after local expiry is still recorded and confirmed as paid after expiry', async () => {
    const chat = privateChat();
    const { remote, row } = await issueInvoice(h, chat);
    clock.advance(61 * MINUTE);
    await tick();
    await waitForInvoice(h, remote.id, (r) => r.status === 'Expired');
    const response = await sendAndApply(h, remote.id, { status: 'Paid' });
    expect(response.status).toBe(200);
    await h.telegram.waitFor(() => botCalls(h, chat.id).length === 2);
    expect(botCalls(h, chat.id)[1]?.params.text).toContain('after the invoice had expired');
    expect((await rowOf(row.id))?.status).toBe('Paid');
    await h.telegram.waitFor(() => botCalls(h, chat.id, 'editMessageText').length === 2);
    expect(botCalls(h, chat.id, 'editMessageText')[1]?.params.text).toContain('Paid');
  });

  it('15d. SMARTy Pay unreachable at expiry → retried, then expired locally after a grace period', async () => {
    clock.advance(10 * MINUTE);
    const chat = privateChat();
    const { remote } = await issueInvoice(h, chat);
    clock.advance(60 * MINUTE);
    h.smartypay.failNext('GET', 503, 2); // the check at expiry and the one after the grace period
    await tick();
    expect((await waitForInvoice(h, remote.id, (r) => r.checkFailures === 1)).status).toBe('Created');
    clock.advance(61 * MINUTE);
    await tick();
    await waitForInvoice(h, remote.id, (r) => r.status === 'Expired');
    expect(h.logs.find(/expiring locally/).length).toBe(1);
  });
  it('16. a Paid webhook that never arrives is found by the scheduled re-check (1, 5, 15 min)', async () => {
    const chat = privateChat();
    const { remote } = await issueInvoice(h, chat);
    const before = gets().length;
    clock.advance(59_000);
    expect(await tick()).toBe(0);
    clock.advance(2_000);
    expect(await tick()).toBe(1); // the 1-minute check: still Created
    expect(gets()).toHaveLength(before + 1);
    h.smartypay.setStatus(remote.id, 'Paid', '5');
    clock.advance(3 * MINUTE);
    expect(await tick()).toBe(0); // next check is at 5 minutes
    clock.advance(MINUTE);
    expect(await tick()).toBe(1);
    await waitForInvoice(h, remote.id, (r) => r.status === 'Paid' && r.nextCheckAt === null);
    await h.telegram.waitFor(() => botCalls(h, chat.id).length === 2);
    expect(botCalls(h, chat.id)[1]?.params.text).toContain('Payment received');
  });

  // Last in this group: it leaves open invoices behind that would compete for the check budget.
  it('16b. re-checks are bounded in calls per minute', async () => {
    clock.advance(10 * MINUTE); // a fresh minute of budget
    const chats = Array.from({ length: 5 }, privateChat);
    for (const chat of chats) await issueInvoice(h, chat);
    const before = gets().length;
    clock.advance(2 * MINUTE);
    expect(await tick()).toBe(3);
    expect(await tick()).toBe(0);
    expect(gets()).toHaveLength(before + 3);
    clock.advance(MINUTE);
    expect(await tick()).toBe(2);
    expect(gets()).toHaveLength(before + 5);
  });
});

describe('duplicate updates', () => {
  it('17. the same /pay delivered twice by Telegram → one invoice, one card', async () => {
    const chat = privateChat();
    const { update } = h.telegram.sendText({ chat, from: MERCHANT, text: '/pay 3 bUSDT twice' });
    h.telegram.pushUpdate({ ...update, update_id: undefined });
    await h.telegram.waitFor(() => botCalls(h, chat.id).length >= 1);
    // Updates of one chat are handled in order: once a later one is answered, both copies of /pay were handled.
    h.telegram.sendText({ chat, from: MERCHANT, text: '/help' });
    await h.telegram.waitFor(() => botCalls(h, chat.id).length >= 2);
    expect(botCalls(h, chat.id)).toHaveLength(2);
    expect(botCalls(h, chat.id)[1]?.params.text).toContain('/pay');
    expect(botCalls(h, chat.id).filter((call) => call.params.text.includes('Invoice #'))).toHaveLength(1);
    const rows = await h.db.select().from(invoices).where(eq(invoices.chatId, chat.id));
    expect(rows).toHaveLength(1);
    expect(h.smartypay.createdInvoices().filter((i) => JSON.parse(i.metadata ?? '{}').chatId === chat.id)).toHaveLength(
      1,
    );
  });
});
