import { eq, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Database } from '../db/client.js';
import { type InvoiceRow, invoices } from '../db/schema.js';
import type { Metrics } from '../metrics.js';
import type { SmartyPayClient } from '../payments/client.js';
import { normaliseDecimal } from './amount.js';
import type { PayRequest } from './pay-command.js';
import { firstCheckAt } from './schedule.js';
import { isInvoiceStatus } from './status.js';

// The invoice behind an inline message (`@bot 10 bUSDT coffee` posted in some chat). It is made when the
// issuer's choice is reported or the button is first tapped, whichever comes first, so both paths call here.

export interface IssueInlineInvoice {
  inlineMessageId: string;
  /** The issuer: their private chat gets the notifications (the inline message's chat is unknown to us). */
  issuedByUserId: number;
  request: PayRequest;
  locale: string;
}

export type InlineIssueResult = { kind: 'created' | 'duplicate'; invoice: InvoiceRow };

export interface InlineIssuerDeps {
  db: Database;
  payments: SmartyPayClient;
  logger: Logger;
  ttlMinutes: number;
  now: () => Date;
  checkoutLink(smartyPayId: string, description: string | undefined, locale?: string): string;
  metrics?: Metrics | undefined;
}

export function createInlineIssuer(deps: InlineIssuerDeps) {
  const { db, now } = deps;
  // The chosen result and the first tap usually arrive together: within a process they share one attempt,
  // so SMARTy Pay sees one invoice. Across processes the unique inline_message_id keeps one row.
  const inFlight = new Map<string, Promise<InlineIssueResult>>();

  async function find(inlineMessageId: string): Promise<InvoiceRow | undefined> {
    const [row] = await db.select().from(invoices).where(eq(invoices.inlineMessageId, inlineMessageId)).limit(1);
    return row && { ...row, amount: normaliseDecimal(row.amount) };
  }

  async function create(input: IssueInlineInvoice): Promise<InlineIssueResult> {
    const existing = await find(input.inlineMessageId);
    if (existing) return { kind: 'duplicate', invoice: existing };
    const { request, issuedByUserId, locale } = input;
    const expiresAt = new Date(now().getTime() + deps.ttlMinutes * 60_000);
    const remote = await deps.payments.createInvoice({
      amount: request.amount,
      token: request.token,
      expiresAt,
      metadata: { chatId: issuedByUserId, inline: 1 },
    });
    const expires = remote.expiresAt ?? expiresAt;
    const [inserted] = await db
      .insert(invoices)
      .values({
        smartyPayId: remote.id,
        chatId: issuedByUserId,
        payMessageId: null,
        inlineMessageId: input.inlineMessageId,
        issuedByUserId,
        amount: request.amount,
        token: request.token,
        description: request.description,
        locale,
        status: isInvoiceStatus(remote.status) ? remote.status : 'Created',
        checkoutUrl: deps.checkoutLink(remote.id, request.description, locale),
        createdAt: now(),
        expiresAt: expires,
        nextCheckAt: firstCheckAt(now(), expires),
        updatedAt: now(),
      })
      .onConflictDoNothing({ target: invoices.inlineMessageId, where: sql`inline_message_id is not null` })
      .returning();
    if (inserted) {
      deps.metrics?.invoicesCreated.inc({ token: inserted.token });
      return { kind: 'created', invoice: { ...inserted, amount: normaliseDecimal(inserted.amount) } };
    }
    // Another process made this inline message's invoice meanwhile; ours just expires unused.
    deps.logger.warn(
      { smartyPayId: remote.id, inlineMessageId: input.inlineMessageId },
      'inline invoice raced; extra remote invoice left to expire',
    );
    const winner = await find(input.inlineMessageId);
    if (!winner) throw new Error('inline invoice insert conflicted but no row was found');
    return { kind: 'duplicate', invoice: winner };
  }

  return {
    find,
    issue(input: IssueInlineInvoice): Promise<InlineIssueResult> {
      const running = inFlight.get(input.inlineMessageId);
      if (running) return running.then((result) => ({ kind: 'duplicate' as const, invoice: result.invoice }));
      const attempt = create(input).finally(() => inFlight.delete(input.inlineMessageId));
      inFlight.set(input.inlineMessageId, attempt);
      return attempt;
    },
  };
}
