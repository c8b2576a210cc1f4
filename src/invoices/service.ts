import { and, eq } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Database, Transaction } from '../db/client.js';
import { type InvoiceRow, invoices, outbox, webhookEvents } from '../db/schema.js';
import type { RemoteInvoice, SmartyPayClient } from '../payments/client.js';
import { type Money, parseMoney } from '../payments/money.js';
import { readInvoiceMetadata, type WebhookPayload } from '../payments/webhook-payload.js';
import { normaliseDecimal } from './amount.js';
import type { PayRequest } from './pay-command.js';
import { firstCheckAt } from './schedule.js';
import { canTransition, isInvoiceStatus, isOpenStatus, isPaidStatus, notificationsFor } from './status.js';

export interface InvoiceServiceDeps {
  db: Database;
  payments: SmartyPayClient;
  logger: Logger;
  checkoutUrl: string;
  ttlMinutes: number;
  now?: () => Date;
}

export interface IssueInvoice {
  chatId: number;
  payMessageId: number;
  issuedByUserId: number | undefined;
  request: PayRequest;
}

export type IssueResult = { kind: 'created'; invoice: InvoiceRow } | { kind: 'duplicate'; invoice: InvoiceRow };

export type WebhookOutcome = 'applied' | 'duplicate' | 'stale' | 'unknown_invoice';

/** Facts frozen at the moment of a transition; the outbox renders messages from them. */
export interface NotificationFacts {
  status: string;
  previousStatus: string;
  paidAmount?: string | undefined;
  paidToken?: string | undefined;
}

export interface InvoiceService {
  issue(input: IssueInvoice): Promise<IssueResult>;
  /** Records the bot's invoice card so later edits know which message to change. */
  attachCard(invoiceId: number, cardMessageId: number): Promise<void>;
  applyWebhook(payload: WebhookPayload, rawBody: string): Promise<{ outcome: WebhookOutcome; invoiceId?: number }>;
  /** Applies what a status re-check at SMARTy Pay found; same rules as a webhook. */
  applyRemoteState(invoiceId: number, remote: RemoteInvoice): Promise<boolean>;
  /** Marks an unpaid invoice Expired (SMARTy Pay sends no webhook for expiry). */
  expire(invoiceId: number): Promise<boolean>;
  checkoutLink(smartyPayId: string, description: string | undefined): string;
}

export function createInvoiceService(deps: InvoiceServiceDeps): InvoiceService {
  const { db, payments, logger } = deps;
  const now = deps.now ?? (() => new Date());

  function checkoutLink(smartyPayId: string, description: string | undefined): string {
    const url = new URL(deps.checkoutUrl);
    url.searchParams.set('invoice-id', smartyPayId);
    if (description) url.searchParams.set('name', description);
    return url.toString();
  }

  async function findByPayMessage(chatId: number, payMessageId: number): Promise<InvoiceRow | undefined> {
    const [row] = await db
      .select()
      .from(invoices)
      .where(and(eq(invoices.chatId, chatId), eq(invoices.payMessageId, payMessageId)))
      .limit(1);
    return row;
  }

  /**
   * The one place an invoice changes status: only forward (canTransition), with the outbox rows the
   * transition must produce, inside the caller's transaction on a locked invoice row.
   */
  async function transition(
    tx: Transaction,
    invoice: InvoiceRow,
    change: { status: string; paid?: Money | undefined; paidAt?: Date | undefined },
  ): Promise<boolean> {
    if (!isInvoiceStatus(change.status) || !canTransition(invoice.status, change.status)) return false;
    const becomesPaid = isPaidStatus(change.status) && !isPaidStatus(invoice.status);
    await tx
      .update(invoices)
      .set({
        status: change.status,
        paidAmount: change.paid?.value ?? invoice.paidAmount,
        paidToken: change.paid?.token ?? invoice.paidToken,
        paidAt: becomesPaid ? (change.paidAt ?? now()) : invoice.paidAt,
        // Paid, failed or expired: nothing left to re-check. UnderPaid may still be topped up.
        nextCheckAt: isOpenStatus(change.status) || change.status === 'UnderPaid' ? invoice.nextCheckAt : null,
        updatedAt: now(),
      })
      .where(eq(invoices.id, invoice.id));

    const facts: NotificationFacts = {
      status: change.status,
      previousStatus: invoice.status,
      paidAmount: change.paid?.value,
      paidToken: change.paid?.token,
    };
    const kinds = notificationsFor(change.status);
    if (kinds.length > 0) {
      await tx
        .insert(outbox)
        .values(
          kinds.map((kind) => ({
            // Per invoice and kind: a second "Paid" under another eventId enqueues nothing.
            dedupeKey: `${invoice.id}:${kind}`,
            kind,
            invoiceId: invoice.id,
            chatId: invoice.chatId,
            targetMessageId: kind.startsWith('card_') ? invoice.cardMessageId : invoice.payMessageId,
            payload: facts,
            nextAttemptAt: now(),
            createdAt: now(),
          })),
        )
        .onConflictDoNothing({ target: outbox.dedupeKey });
    }
    return true;
  }

  async function withLockedInvoice<T>(
    invoiceId: number,
    work: (tx: Transaction, invoice: InvoiceRow) => Promise<T>,
  ): Promise<T | undefined> {
    return db.transaction(async (tx) => {
      const [invoice] = await tx.select().from(invoices).where(eq(invoices.id, invoiceId)).for('update').limit(1);
      return invoice ? work(tx, invoice) : undefined;
    });
  }

  return {
    checkoutLink,

    async applyRemoteState(invoiceId, remote) {
      const applied = await withLockedInvoice(invoiceId, (tx, invoice) =>
        transition(tx, invoice, { status: remote.status, paid: remote.paidAmount, paidAt: remote.paidAt }),
      );
      return applied ?? false;
    },

    async expire(invoiceId) {
      const applied = await withLockedInvoice(invoiceId, (tx, invoice) =>
        transition(tx, invoice, { status: 'Expired' }),
      );
      return applied ?? false;
    },

    async issue({ chatId, payMessageId, issuedByUserId, request }) {
      const existing = await findByPayMessage(chatId, payMessageId);
      if (existing) return { kind: 'duplicate', invoice: existing };

      const expiresAt = new Date(now().getTime() + deps.ttlMinutes * 60_000);
      // SMARTy Pay first: if it fails, nothing is written and the merchant is told.
      const remote = await payments.createInvoice({
        amount: request.amount,
        token: request.token,
        expiresAt,
        metadata: { chatId, messageId: payMessageId },
      });
      const inserted = await db
        .insert(invoices)
        .values({
          smartyPayId: remote.id,
          chatId,
          payMessageId,
          issuedByUserId,
          amount: request.amount,
          token: request.token,
          description: request.description,
          status: isInvoiceStatus(remote.status) ? remote.status : 'Created',
          checkoutUrl: checkoutLink(remote.id, request.description),
          createdAt: now(),
          expiresAt: remote.expiresAt ?? expiresAt,
          nextCheckAt: firstCheckAt(now(), remote.expiresAt ?? expiresAt),
          updatedAt: now(),
        })
        .onConflictDoNothing({ target: [invoices.chatId, invoices.payMessageId] })
        .returning();
      const invoice = inserted[0];
      if (invoice) return { kind: 'created', invoice: withNormalAmount(invoice) };
      // A concurrent delivery of the same /pay won; its invoice is the one. Ours just expires unused.
      logger.warn(
        { smartyPayId: remote.id, chatId, payMessageId },
        'duplicate /pay raced; extra remote invoice left to expire',
      );
      const winner = await findByPayMessage(chatId, payMessageId);
      if (!winner) throw new Error('invoice insert conflicted but no row was found');
      return { kind: 'duplicate', invoice: withNormalAmount(winner) };
    },

    async attachCard(invoiceId, cardMessageId) {
      await db.update(invoices).set({ cardMessageId, updatedAt: now() }).where(eq(invoices.id, invoiceId));
    },

    async applyWebhook(payload, rawBody) {
      const dedupeKey = payload.eventId ?? `${payload.invoiceId}:${payload.status}`;
      return db.transaction(async (tx) => {
        // The event row is the permanent replay guard: no timestamp is signed, so a captured
        // webhook stays valid forever and may only ever have an effect once.
        const recorded = await tx
          .insert(webhookEvents)
          .values({
            dedupeKey,
            smartyPayInvoiceId: payload.invoiceId,
            status: payload.status,
            eventTs: parseDate(payload.eventTs),
            outcome: 'received',
            rawPayload: rawBody,
            receivedAt: now(),
          })
          .onConflictDoNothing({ target: webhookEvents.dedupeKey })
          .returning({ id: webhookEvents.id });
        const eventRowId = recorded[0]?.id;
        if (eventRowId === undefined) return { outcome: 'duplicate' as const };

        const setOutcome = (outcome: WebhookOutcome) =>
          tx.update(webhookEvents).set({ outcome }).where(eq(webhookEvents.id, eventRowId));

        const [invoice] = await tx
          .select()
          .from(invoices)
          .where(eq(invoices.smartyPayId, payload.invoiceId))
          .for('update')
          .limit(1);
        if (!invoice) {
          await setOutcome('unknown_invoice');
          return { outcome: 'unknown_invoice' as const };
        }

        const metadata = readInvoiceMetadata(payload.metadata);
        if (metadata.chatId !== undefined && metadata.chatId !== invoice.chatId) {
          // Stored state is authoritative (the chat may have been migrated to a supergroup).
          logger.warn(
            { invoiceId: invoice.id, metadataChatId: metadata.chatId, storedChatId: invoice.chatId },
            'webhook metadata chat id differs from the stored invoice',
          );
        }

        const applied = await transition(tx, invoice, {
          status: payload.status,
          paid: parseMoney(payload.paidAmount),
          paidAt: parseDate(payload.paidAt),
        });
        if (!applied) {
          await setOutcome('stale');
          return { outcome: 'stale' as const, invoiceId: invoice.id };
        }
        await setOutcome('applied');
        return { outcome: 'applied' as const, invoiceId: invoice.id };
      });
    },
  };
}

function parseDate(value: string | null | undefined): Date | undefined {
  const date = value ? new Date(value) : undefined;
  return date && !Number.isNaN(date.getTime()) ? date : undefined;
}

function withNormalAmount(row: InvoiceRow): InvoiceRow {
  return { ...row, amount: normaliseDecimal(row.amount) };
}
