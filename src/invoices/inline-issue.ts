import { eq } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { type InvoiceRow, invoices } from '../db/schema.js';
import type { IssueResult, NewInvoice } from './issue.js';
import type { PayRequest } from './pay-command.js';

// The invoice behind an inline message (`@bot 10 bUSDT coffee` posted in some chat). It is made when the
// issuer's choice is reported or the button is first tapped, whichever comes first, so both paths call here.

export interface IssueInlineInvoice {
  inlineMessageId: string;
  /** The issuer: their private chat gets the notifications (the inline message's chat is unknown to us). */
  issuedByUserId: number;
  request: PayRequest;
  locale: string;
}

export interface InlineIssuerDeps {
  db: Database;
  /** The shared issuing path (src/invoices/issue.ts). */
  issue(input: NewInvoice, existing: () => Promise<InvoiceRow | undefined>): Promise<IssueResult>;
}

export function createInlineIssuer(deps: InlineIssuerDeps) {
  const { db } = deps;
  // The chosen result and the first tap usually arrive together: within a process they share one attempt,
  // so SMARTy Pay sees one invoice. Across processes the unique inline_message_id keeps one row.
  const inFlight = new Map<string, Promise<IssueResult>>();

  async function find(inlineMessageId: string): Promise<InvoiceRow | undefined> {
    const [row] = await db.select().from(invoices).where(eq(invoices.inlineMessageId, inlineMessageId)).limit(1);
    return row;
  }

  return {
    find,
    issue(input: IssueInlineInvoice): Promise<IssueResult> {
      const running = inFlight.get(input.inlineMessageId);
      if (running) return running.then((result) => ({ kind: 'duplicate' as const, invoice: result.invoice }));
      const attempt = deps
        .issue(
          {
            chatId: null,
            notifyChatId: input.issuedByUserId,
            payMessageId: null,
            inlineMessageId: input.inlineMessageId,
            issuedByUserId: input.issuedByUserId,
            request: input.request,
            locale: input.locale,
            metadata: { chatId: input.issuedByUserId, inline: 1 },
            // Nobody to remind: the chat it was posted in is unknown.
            remind: false,
            cardReplyTo: null,
          },
          () => find(input.inlineMessageId),
        )
        .finally(() => inFlight.delete(input.inlineMessageId));
      inFlight.set(input.inlineMessageId, attempt);
      return attempt;
    },
  };
}
