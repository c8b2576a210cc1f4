import { desc, eq } from 'drizzle-orm';
import type { Database } from '../src/db/client.js';
import { invoices, outbox } from '../src/db/schema.js';

// What the side panel shows from the app's own database: its invoices and its outbox, newest first.

export interface PanelRows {
  invoices: Array<{
    id: number;
    smartyPayId: string;
    amount: string;
    token: string;
    status: string;
    expiresAt: string;
    nextCheckAt: string | null;
  }>;
  outbox: Array<{
    id: number;
    kind: string;
    status: string;
    attempts: number;
    lastError: string | null;
    nextAttemptAt: string;
    sentAt: string | null;
  }>;
}

export async function readPanelRows(db: Database, chatId: number, limit = 20): Promise<PanelRows> {
  const invoiceRows = await db
    .select()
    .from(invoices)
    .where(eq(invoices.chatId, chatId))
    .orderBy(desc(invoices.id))
    .limit(limit);
  const outboxRows = await db
    .select()
    .from(outbox)
    .where(eq(outbox.chatId, chatId))
    .orderBy(desc(outbox.id))
    .limit(limit);
  return {
    invoices: invoiceRows.map((row) => ({
      id: row.id,
      smartyPayId: row.smartyPayId,
      amount: row.amount,
      token: row.token,
      status: row.status,
      expiresAt: row.expiresAt.toISOString(),
      nextCheckAt: row.nextCheckAt?.toISOString() ?? null,
    })),
    outbox: outboxRows.map((row) => ({
      id: row.id,
      kind: row.kind,
      status: row.status,
      attempts: row.attempts,
      lastError: row.lastError,
      nextAttemptAt: row.nextAttemptAt.toISOString(),
      sentAt: row.sentAt?.toISOString() ?? null,
    })),
  };
}
