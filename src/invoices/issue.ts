import type { Logger } from 'pino';
import type { Database } from '../db/client.js';
import { type InvoiceRow, invoices } from '../db/schema.js';
import type { Metrics } from '../metrics.js';
import type { SmartyPayClient } from '../payments/client.js';
import { normaliseDecimal } from './amount.js';
import type { PayRequest } from './pay-command.js';
import { firstCheckAt } from './schedule.js';
import { isInvoiceStatus } from './status.js';

// Making an invoice, for /pay, Issue again and inline mode alike: SMARTy Pay first (if it fails, nothing
// is written and the user is told), then the row. The row's unique keys ((chat, /pay message) or the
// inline message) make a repeated or concurrent request end with one invoice.

export interface NewInvoice {
  /** Where its messages go: the chat of /pay, or an inline invoice's issuer (their private chat). */
  chatId: number;
  /** The message the invoice answers; null for an inline invoice. */
  payMessageId: number | null;
  inlineMessageId: string | null;
  issuedByUserId: number | undefined;
  request: PayRequest;
  locale: string;
  /** ASCII-only facts SMARTy Pay keeps with the invoice (chat id, message id). */
  metadata: Record<string, string | number>;
  /** Schedule the "expires soon" reminder (REMINDER_MINUTES). */
  remind: boolean;
}

export type IssueResult = { kind: 'created' | 'duplicate'; invoice: InvoiceRow };

export interface InvoiceIssuerDeps {
  db: Database;
  payments: SmartyPayClient;
  logger: Logger;
  ttlMinutes: number;
  /** Remind the chat this long before expiry; 0 = never. */
  reminderMinutes?: number | undefined;
  now: () => Date;
  checkoutLink(smartyPayId: string, description: string | undefined, locale?: string): string;
  metrics?: Metrics | undefined;
}

export function withNormalAmount(row: InvoiceRow): InvoiceRow {
  return { ...row, amount: normaliseDecimal(row.amount) };
}

/** expiresAt − minutes when that is still ahead; otherwise (or when off) no reminder. */
function reminderAt(expiresAt: Date, minutes: number, at: Date): Date | null {
  const remindAt = new Date(expiresAt.getTime() - minutes * 60_000);
  return minutes > 0 && remindAt > at ? remindAt : null;
}

export function createInvoiceIssuer(deps: InvoiceIssuerDeps) {
  const { db, now } = deps;

  /** Creates the invoice unless `existing()` already finds it; `existing()` also names a concurrent winner. */
  return async function issue(
    input: NewInvoice,
    existing: () => Promise<InvoiceRow | undefined>,
  ): Promise<IssueResult> {
    const found = await existing();
    if (found) return { kind: 'duplicate', invoice: withNormalAmount(found) };
    const { request, locale } = input;
    const at = now();
    const remote = await deps.payments.createInvoice({
      amount: request.amount,
      token: request.token,
      expiresAt: new Date(at.getTime() + deps.ttlMinutes * 60_000),
      metadata: input.metadata,
    });
    const expiresAt = remote.expiresAt ?? new Date(at.getTime() + deps.ttlMinutes * 60_000);
    const [inserted] = await db
      .insert(invoices)
      .values({
        smartyPayId: remote.id,
        chatId: input.chatId,
        payMessageId: input.payMessageId,
        inlineMessageId: input.inlineMessageId,
        issuedByUserId: input.issuedByUserId,
        amount: request.amount,
        token: request.token,
        description: request.description,
        locale,
        status: isInvoiceStatus(remote.status) ? remote.status : 'Created',
        checkoutUrl: deps.checkoutLink(remote.id, request.description, locale),
        createdAt: at,
        expiresAt,
        nextCheckAt: firstCheckAt(at, expiresAt),
        remindAt: input.remind ? reminderAt(expiresAt, deps.reminderMinutes ?? 0, at) : null,
        updatedAt: at,
      })
      // Whichever unique key a concurrent request hit first, its row is the invoice.
      .onConflictDoNothing()
      .returning();
    if (inserted) {
      deps.metrics?.invoicesCreated.inc({ token: inserted.token });
      return { kind: 'created', invoice: withNormalAmount(inserted) };
    }
    deps.logger.warn(
      {
        smartyPayId: remote.id,
        chatId: input.chatId,
        payMessageId: input.payMessageId,
        inlineMessageId: input.inlineMessageId,
      },
      'invoice requested twice at once; the extra remote invoice is left to expire',
    );
    const winner = await existing();
    if (!winner) throw new Error('invoice insert conflicted but no row was found');
    return { kind: 'duplicate', invoice: withNormalAmount(winner) };
  };
}
