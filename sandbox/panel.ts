import { desc, inArray } from 'drizzle-orm';
import type { Database } from '../src/db/client.js';
import { invoices, outbox } from '../src/db/schema.js';

// What the side panel shows from the app's own database: the invoices and outbox rows of the sandbox's
// chats (the group and both private chats), newest first.

export interface PanelRows {
  invoices: Array<{
    id: number;
    chatId: number;
    smartyPayId: string;
    amount: string;
    token: string;
    status: string;
    expiresAt: string;
    nextCheckAt: string | null;
  }>;
  outbox: Array<{
    id: number;
    chatId: number;
    kind: string;
    status: string;
    attempts: number;
    lastError: string | null;
    nextAttemptAt: string;
    sentAt: string | null;
  }>;
}

export async function readPanelRows(db: Database, chatIds: number[], limit = 20): Promise<PanelRows> {
  const invoiceRows = await db
    .select()
    .from(invoices)
    .where(inArray(invoices.notifyChatId, chatIds))
    .orderBy(desc(invoices.id))
    .limit(limit);
  const outboxRows = await db
    .select()
    .from(outbox)
    .where(inArray(outbox.chatId, chatIds))
    .orderBy(desc(outbox.id))
    .limit(limit);
  return {
    invoices: invoiceRows.map((row) => ({
      id: row.id,
      chatId: row.notifyChatId,
      smartyPayId: row.smartyPayId,
      amount: row.amount,
      token: row.token,
      status: row.status,
      expiresAt: row.expiresAt.toISOString(),
      nextCheckAt: row.nextCheckAt?.toISOString() ?? null,
    })),
    outbox: outboxRows.map((row) => ({
      id: row.id,
      chatId: row.chatId,
      kind: row.kind,
      status: row.status,
      attempts: row.attempts,
      lastError: row.lastError,
      nextAttemptAt: row.nextAttemptAt.toISOString(),
      sentAt: row.sentAt?.toISOString() ?? null,
    })),
  };
}
