import { compareDecimals, normaliseDecimal, subtractDecimals } from '../decimal.js';

// A partly paid sale: SMARTy Pay counts UnderPaid as failed (its client model's isFailedStatus) and documents no
// way to top the same invoice up, so the UnderPaid card offers "Pay the remaining Z": a second invoice, linked to
// the first (invoices.remainder_of_invoice_id), whose payment completes the sale. Decimal strings, never floats.

export interface PaidFacts {
  status: string;
  amount: string;
  token: string;
  paidAmount: string | null;
  paidToken: string | null;
  remainderOfInvoiceId: number | null;
}

const PLAIN_DECIMAL = /^\d+(\.\d+)?$/;

/** What was paid, when it is a plain decimal in the invoice's own token (so comparable with what was due). */
export function paidInOwnToken(invoice: Pick<PaidFacts, 'token' | 'paidAmount' | 'paidToken'>): string | undefined {
  const { paidAmount, paidToken } = invoice;
  if (!paidAmount || !PLAIN_DECIMAL.test(paidAmount)) return undefined;
  return !paidToken || paidToken === invoice.token ? normaliseDecimal(paidAmount) : undefined;
}

/**
 * Z of "Pay the remaining Z": amount − paid, for an UnderPaid invoice that is not itself a remainder (one level
 * only) and whose payment is in its token and short of the amount; otherwise undefined (no button).
 */
export function remainingAmount(invoice: PaidFacts): string | undefined {
  if (invoice.status !== 'UnderPaid' || invoice.remainderOfInvoiceId !== null) return undefined;
  const paid = paidInOwnToken(invoice);
  if (paid === undefined || compareDecimals(invoice.amount, paid) <= 0) return undefined;
  return subtractDecimals(normaliseDecimal(invoice.amount), paid);
}
