import { randomUUID } from 'node:crypto';
import type { FakeSmartyPay } from '../../test/support/fake-smartypay.js';
import type { FakeTelegram } from '../../test/support/fake-telegram.js';
import { SEED_AMOUNT, SEED_TOKEN } from './database.js';
import { mapLimit } from './util.js';

// Signed "Paid" webhooks for invoices seeded straight into the database (the fake SMARTy Pay never
// saw them, so its webhookBody cannot build them): the same JSON shape the fake sends, signed with
// the fake's secret (hex HMAC-SHA256 of the raw body in x-sp-digest).

export const WEBHOOK_PATH = '/webhooks/smartypay';

export interface SignedWebhook {
  body: string;
  signature: string;
}

export function paidWebhook(
  smartypay: FakeSmartyPay,
  invoice: { smartyPayId: string; chatId: number; payMessageId: number },
): SignedWebhook {
  const now = new Date();
  const body = JSON.stringify({
    eventId: randomUUID(),
    eventType: 'InvoiceStatusChanged',
    eventTs: now.toISOString(),
    invoiceId: invoice.smartyPayId,
    amount: `${SEED_AMOUNT} ${SEED_TOKEN}`,
    status: 'Paid',
    createdAt: new Date(now.getTime() - 60_000).toISOString(),
    expiresAt: new Date(now.getTime() + 3_600_000).toISOString(),
    paidAt: now.toISOString(),
    paidAmount: `${SEED_AMOUNT} ${SEED_TOKEN}`,
    metadata: JSON.stringify({ chatId: invoice.chatId, messageId: invoice.payMessageId }),
  });
  return { body, signature: smartypay.sign(body) };
}

/** POSTs a signed webhook; resolves with the HTTP status (0 when the request failed). */
export async function postWebhook(appUrl: string, webhook: SignedWebhook): Promise<number> {
  try {
    const response = await fetch(`${appUrl}${WEBHOOK_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-sp-digest': webhook.signature },
      body: webhook.body,
    });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

/**
 * Creates an invoice card (a bot message) in each chat on the fake Bot API, as the bot itself would,
 * so the app's later card edit finds its message. Call before any rate limits are set.
 */
export async function seedCards(telegram: FakeTelegram, chatIds: readonly number[]): Promise<Map<number, number>> {
  const ids = await mapLimit(chatIds, 20, async (chatId) => {
    const response = await fetch(`${telegram.apiRoot}/bot${telegram.token}/sendMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ chat_id: chatId, text: `🧾 Invoice (seeded card for chat ${chatId})` }),
    });
    const json = (await response.json()) as { ok: boolean; result?: { message_id: number } };
    if (!json.ok || !json.result) throw new Error(`could not seed a card in chat ${chatId}`);
    return json.result.message_id;
  });
  return new Map(chatIds.map((chatId, i) => [chatId, ids[i] as number]));
}

export const isConfirmation = (text: string) => text.includes('Payment received');
