import { eq } from 'drizzle-orm';
import { type InvoiceRow, invoices, outbox } from '../../src/db/schema.js';
import type { FakeInvoice } from './fake-smartypay.js';
import type { RecordedCall } from './fake-telegram.js';
import type { Harness } from './harness.js';

// Steps many tests share: issue an invoice through the bot, look at what the bot sent.

export type TestChat = { id: number; type: 'private' | 'group' | 'supergroup'; title?: string };

export const MERCHANT = { id: 4242, first_name: 'Merchant', language_code: 'en' };

/** Successful and failed calls of `method` aimed at one chat, in order. */
export function botCalls(h: Harness, chatId: number, method = 'sendMessage'): RecordedCall[] {
  return h.telegram.callsOf(method).filter((call) => call.params.chat_id === chatId);
}

export async function issueInvoice(
  h: Harness,
  chat: TestChat,
  text = '/pay 5 bUSDT',
): Promise<{ message: Record<string, any>; card: RecordedCall; remote: FakeInvoice; row: InvoiceRow }> {
  const before = h.smartypay.createdInvoices().length;
  const { message } = h.telegram.sendText({ chat, from: MERCHANT, text });
  await h.telegram.waitFor(() => botCalls(h, chat.id).length > 0);
  const card = botCalls(h, chat.id)[0];
  const remote = h.smartypay.createdInvoices()[before];
  if (!card || !remote) throw new Error(`no invoice card in chat ${chat.id}`);
  const row = await waitForInvoice(h, remote.id, (r) => r.cardMessageId !== null);
  return { message, card, remote, row };
}

/** Polls the invoice row until `ready` holds (bounded). */
export async function waitForInvoice(
  h: Harness,
  smartyPayId: string,
  ready: (row: InvoiceRow) => boolean,
  timeoutMs = 5_000,
): Promise<InvoiceRow> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await h.db.select().from(invoices).where(eq(invoices.smartyPayId, smartyPayId));
    if (row && ready(row)) return row;
    if (Date.now() > deadline) throw new Error(`invoice ${smartyPayId} never got ready: ${JSON.stringify(row)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * A buyer opens a product's link (`/start <code>` in their private chat); resolves with SMARTy Pay's invoice and its
 * row once the card is in their chat.
 */
export async function openProductLink<Who extends { chat: TestChat; buyer: { id: number } }>(
  h: Harness,
  code: string,
  who: Who,
) {
  const before = h.smartypay.createdInvoices().length;
  const { message } = h.telegram.sendText({ chat: who.chat, from: who.buyer, text: `/start ${code}` });
  await h.telegram.waitFor(() => h.smartypay.createdInvoices().length > before);
  const remote = h.smartypay.createdInvoices()[before];
  if (!remote) throw new Error('no SMARTy Pay invoice');
  const row = await waitForInvoice(h, remote.id, (r) => r.cardMessageId !== null);
  return { ...who, message, remote, row };
}

export async function outboxRowsOf(h: Harness, invoiceId: number) {
  return h.db.select().from(outbox).where(eq(outbox.invoiceId, invoiceId)).orderBy(outbox.id);
}

export async function waitUntil(
  check: () => Promise<boolean> | boolean,
  timeoutMs = 5_000,
  what: string | (() => string) = 'condition',
) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'function' ? what() : what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
