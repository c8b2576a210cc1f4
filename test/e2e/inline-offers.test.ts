import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inlineOffers, invoices } from '../../src/db/schema.js';
import { MERCHANT, waitUntil } from '../support/flows.js';
import { type Harness, startHarness } from '../support/harness.js';

// Issue 11, point 1: a posted inline offer can only ever become the invoice it shows. The Pay button's callback
// data is readable by anyone in the chat and any client can send any callback data, so these taps are forged the
// way a modified client would forge them: the data of another offer, on this message.

let h: Harness;
let nextCustomerId = 95_000;
const customer = () => ({ id: ++nextCustomerId, first_name: 'Customer', language_code: 'en' });
const INVALID = 'This offer is no longer valid. Ask the merchant for a new one.';

beforeAll(async () => {
  h = await startHarness({ env: { MERCHANT_USER_IDS: String(MERCHANT.id), TELEGRAM_PRIVATE_CHAT_INTERVAL_MS: '0' } });
});
afterAll(async () => {
  await h?.close();
});

/** The merchant types `@bot <query>`; returns the query and the id of the one offer answered. */
async function offer(query: string) {
  const queryId = h.telegram.inlineQuery({ from: MERCHANT, query });
  await h.telegram.waitFor(() => h.telegram.inlineResults(queryId) !== undefined);
  const [result] = h.telegram.inlineResults(queryId) ?? [];
  if (!result) throw new Error(`no offer for ${query}`);
  return { queryId, draftId: String(result.id) };
}

const invoicesOf = (inlineMessageId: string) =>
  h.db.select().from(invoices).where(eq(invoices.inlineMessageId, inlineMessageId));
const refusals = (inlineMessageId: string) =>
  h.logs.find('inline tap refused: not the offer of this message').filter((l) => l.inlineMessageId === inlineMessageId);

describe('inline offers cannot be re-priced by a forged tap', () => {
  it("refuses a tap naming the merchant's earlier 1 bUSDT keystroke on the posted 100 bUSDT message", async () => {
    expect(h.config.merchantUserIds).toEqual([MERCHANT.id]);
    const cheap = await offer('1 bUSDT Laptop'); // typed, never sent
    const real = await offer('100 bUSDT Laptop');
    // The choice is reported (binding the message) but SMARTy Pay fails, so the preview keeps its Pay button.
    h.smartypay.failNext('POST', 500);
    const before = h.smartypay.createdInvoices().length;
    const message = h.telegram.chooseInlineResult({ queryId: real.queryId });
    await waitUntil(
      () => h.logs.find('could not create the inline invoice').some((l) => l.inlineMessageId === message),
      5_000,
      'the failed issue',
    );
    expect(await h.db.select().from(inlineOffers).where(eq(inlineOffers.inlineMessageId, message))).toEqual([
      expect.objectContaining({ draftId: real.draftId }),
    ]);

    const attacker = customer();
    const forged = await h.telegram.tapButton({
      from: attacker,
      data: `v1:ipay:${cheap.draftId}`,
      inlineMessageId: message,
    });
    expect(forged).toMatchObject({ text: INVALID, show_alert: true });
    expect(h.smartypay.createdInvoices()).toHaveLength(before);
    expect(await invoicesOf(message)).toEqual([]);
    expect(refusals(message)).toEqual([
      expect.objectContaining({
        level: 40,
        userId: attacker.id,
        inlineMessageId: message,
        draftId: cheap.draftId,
        boundDraftId: real.draftId,
      }),
    ]);

    const honest = await h.telegram.tapButton({
      from: customer(),
      data: `v1:ipay:${real.draftId}`,
      inlineMessageId: message,
    });
    expect(honest.text).toBe('Invoice ready — tap Pay.');
    const created = h.smartypay.createdInvoices().slice(before);
    expect(created.map((i) => i.amount)).toEqual(['100']);
    const [row] = await invoicesOf(message);
    expect(row?.amount).toBe('100.00000000');

    // Once invoiced, a forged tap is still refused and changes nothing.
    const late = await h.telegram.tapButton({
      from: attacker,
      data: `v1:ipay:${cheap.draftId}`,
      inlineMessageId: message,
    });
    expect(late).toMatchObject({ text: INVALID, show_alert: true });
    expect(h.smartypay.createdInvoices()).toHaveLength(before + 1);
    expect(refusals(message)).toHaveLength(2);
  });

  it('with inline feedback off: the first tap binds, and the bound offer cannot be tapped onto another message', async () => {
    const pen = await offer('5 bUSDT Pen');
    const penMessage = h.telegram.chooseInlineResult({ queryId: pen.queryId, feedback: false });
    const gold = await offer('50 bUSDT Gold pen');
    const goldMessage = h.telegram.chooseInlineResult({ queryId: gold.queryId, feedback: false });
    const before = h.smartypay.createdInvoices().length;

    const first = await h.telegram.tapButton({
      from: customer(),
      data: `v1:ipay:${pen.draftId}`,
      inlineMessageId: penMessage,
    });
    expect(first.text).toBe('Invoice ready — tap Pay.');
    const attacker = customer();
    const forged = await h.telegram.tapButton({
      from: attacker,
      data: `v1:ipay:${pen.draftId}`,
      inlineMessageId: goldMessage,
    });
    expect(forged).toMatchObject({ text: INVALID, show_alert: true });
    expect(await invoicesOf(goldMessage)).toEqual([]);
    expect(refusals(goldMessage)).toEqual([
      expect.objectContaining({ level: 40, userId: attacker.id, draftId: pen.draftId, inlineMessageId: goldMessage }),
    ]);

    const honest = await h.telegram.tapButton({
      from: customer(),
      data: `v1:ipay:${gold.draftId}`,
      inlineMessageId: goldMessage,
    });
    expect(honest.text).toBe('Invoice ready — tap Pay.');
    expect(
      h.smartypay
        .createdInvoices()
        .slice(before)
        .map((i) => i.amount),
    ).toEqual(['5', '50']);
  });

  it('with inline feedback off: a message bound by its first tap refuses a tap naming another offer', async () => {
    const tea = await offer('3 bUSDT Tea');
    const teaMessage = h.telegram.chooseInlineResult({ queryId: tea.queryId, feedback: false });
    const cheap = await offer('0.5 bUSDT Tea');
    h.smartypay.failNext('POST', 500); // the first tap binds the message but makes no invoice
    const failed = await h.telegram.tapButton({
      from: customer(),
      data: `v1:ipay:${tea.draftId}`,
      inlineMessageId: teaMessage,
    });
    expect(failed.text).toContain('no invoice was created');
    const before = h.smartypay.createdInvoices().length;

    const forged = await h.telegram.tapButton({
      from: customer(),
      data: `v1:ipay:${cheap.draftId}`,
      inlineMessageId: teaMessage,
    });
    expect(forged).toMatchObject({ text: INVALID, show_alert: true });
    expect(h.smartypay.createdInvoices()).toHaveLength(before);
    expect(refusals(teaMessage)).toHaveLength(1);
  });

  it("refuses a chosen result that names another user's offer", async () => {
    const { draftId } = await offer('7 bUSDT Book');
    const stranger = customer();
    const before = h.smartypay.createdInvoices().length;
    h.telegram.pushUpdate({
      chosen_inline_result: {
        result_id: draftId,
        from: stranger,
        query: '7 bUSDT Book',
        inline_message_id: 'inl-stranger',
      },
    });
    await waitUntil(() => h.logs.find('chosen inline result refused').some((l) => l.userId === stranger.id));
    expect(h.logs.find('chosen inline result refused').find((l) => l.userId === stranger.id)).toMatchObject({
      level: 40,
      draftId,
      inlineMessageId: 'inl-stranger',
      reason: 'not-owner',
    });
    expect(await h.db.select().from(inlineOffers).where(eq(inlineOffers.inlineMessageId, 'inl-stranger'))).toEqual([]);
    expect(h.smartypay.createdInvoices()).toHaveLength(before);
  });

  it('offers a fresh id for a query typed again after its offer was sent', async () => {
    const first = await offer('9 bUSDT Lamp');
    expect((await offer('9 bUSDT Lamp')).draftId).toBe(first.draftId); // unsent: retyping reuses the draft
    const message = h.telegram.chooseInlineResult({ queryId: first.queryId });
    await waitUntil(async () => (await invoicesOf(message)).length === 1);
    const again = await offer('9 bUSDT Lamp');
    expect(again.draftId).not.toBe(first.draftId);
    // So a second message of the same query, with feedback off, is not refused as "already bound elsewhere".
    const second = h.telegram.chooseInlineResult({ queryId: again.queryId, feedback: false });
    const tap = await h.telegram.tapButton({
      from: customer(),
      data: `v1:ipay:${again.draftId}`,
      inlineMessageId: second,
    });
    expect(tap.text).toBe('Invoice ready — tap Pay.');
  });
});
