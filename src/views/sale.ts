import type { InvoiceRow } from '../db/schema.js';
import type { TransitionFacts } from '../db/vocabulary.js';
import { addDecimals, compareDecimals, subtractDecimals } from '../decimal.js';
import type { Translate } from '../i18n/index.js';
import { paidInOwnToken, remainingAmount } from '../invoices/remainder.js';
import { isPaidStatus, isSettledStatus } from '../invoices/state-machine.js';
import { forWhat, money, type SaleView } from './messages.js';
import { formatMoney } from './numbers.js';

// A sale paid in two parts: an UnderPaid original and its remainder ("Pay the remaining", linked by
// invoices.remainder_of_invoice_id). The outbox renders each with the other one (`linked`) as it is now.

/** What an amount paid in the invoice's own token falls short of the amount due, if it does. */
export function shortfall(invoice: InvoiceRow, paid: string | undefined): string | undefined {
  if (paid === undefined || compareDecimals(paid, invoice.amount) >= 0) return undefined;
  return subtractDecimals(invoice.amount, paid);
}

/** Both parts and the total, formatted; the parts as SMARTy Pay reported them when not in the token. */
function parts(t: Translate, original: InvoiceRow, remainder: InvoiceRow, remainderPaid?: string) {
  const first = paidInOwnToken(original);
  const second = remainderPaid ?? paidInOwnToken(remainder);
  const shown = (row: InvoiceRow, own: string | undefined) =>
    own !== undefined ? money(t, own, row.token) : money(t, row.paidAmount ?? row.amount, row.paidToken ?? row.token);
  const total = first !== undefined && second !== undefined ? addDecimals(first, second) : undefined;
  return {
    total: total !== undefined ? money(t, total, original.token) : money(t, original.amount, original.token),
    first: shown(original, first),
    second: shown(remainder, second),
    totalValue: total,
  };
}

/** How the card of `invoice` reads, given its linked invoice. */
export function saleView(t: Translate, invoice: InvoiceRow, linked: InvoiceRow | undefined): SaleView {
  const settled = isSettledStatus(invoice.status);
  if (linked && invoice.remainderOfInvoiceId === null && isSettledStatus(linked.status) && !settled) {
    const { total, first, second } = parts(t, invoice, linked);
    return { paidInParts: { total, first, second } };
  }
  if (linked && invoice.remainderOfInvoiceId !== null && isSettledStatus(linked.status) && !settled) {
    return { notNeededFor: linked.id };
  }
  const rest = remainingAmount(invoice);
  const paid = paidInOwnToken(invoice);
  const short = settled && invoice.status !== 'OverPaid' && shortfall(invoice, paid) !== undefined;
  return {
    rest: rest === undefined ? undefined : formatMoney(rest, invoice.token, t.locale),
    short:
      short && paid !== undefined
        ? { paid: money(t, paid, invoice.token), due: money(t, invoice.amount, invoice.token) }
        : undefined,
  };
}

/** linkedStatus: the linked invoice's status when this one settled (snapshotted by the transition, under lock). */
export type SaleFacts = Pick<TransitionFacts, 'paidAmount' | 'paidToken' | 'linkedStatus'>;

/**
 * The confirmation of a settled invoice that is part of a two-part sale, or undefined for an ordinary one.
 * The remainder's payment completes the sale: one confirmation for the whole. A second payment of the same
 * rest (on the original after its remainder was paid, or the other way round) is flagged, never confirmed twice.
 */
export function saleReply(
  t: Translate,
  invoice: InvoiceRow,
  linked: InvoiceRow | undefined,
  facts: SaleFacts,
): string | undefined {
  if (!linked) return undefined;
  const paidNow =
    facts.paidAmount && (!facts.paidToken || facts.paidToken === invoice.token) ? facts.paidAmount : undefined;
  const received = money(t, facts.paidAmount ?? invoice.amount, facts.paidToken ?? invoice.token);
  // Paid as the transition counts it (LINKED_PAID in transition.ts: Withdrawn too): then this payment delivered nothing.
  const linkedPaid = facts.linkedStatus != null && isPaidStatus(facts.linkedStatus);
  // A shop buyer's own chat: addressed to them; what the merchant must do is in their sale notice.
  const buyer = invoice.productId !== null;
  if (buyer && linkedPaid) return t('buyer-paid-twice', { id: String(invoice.id), received, other: String(linked.id) });
  if (invoice.remainderOfInvoiceId === null) {
    if (!linkedPaid) return undefined;
    return t('original-paid-after-remainder', { id: String(invoice.id), received, remainder: String(linked.id) });
  }
  if (linkedPaid) {
    return t('remainder-paid-after-full', { id: String(invoice.id), original: String(linked.id), received });
  }
  const { total, first, second, totalValue } = parts(t, linked, invoice, paidNow);
  const head = t('payment-received-parts', { total, first, second, what: forWhat(t, linked.description) });
  if (totalValue === undefined) return head;
  const missing = shortfall(linked, totalValue);
  if (missing !== undefined) {
    const due = money(t, linked.amount, linked.token);
    const short = { paid: total, due, missing: money(t, missing, linked.token) };
    return `${head} ${t(buyer ? 'buyer-paid-short' : 'paid-short', short)}`;
  }
  if (compareDecimals(totalValue, linked.amount) > 0) {
    const excess = money(t, subtractDecimals(totalValue, linked.amount), linked.token);
    return `${head} ${t(buyer ? 'buyer-overpaid-excess' : 'overpaid-excess', { excess, due: money(t, linked.amount, linked.token) })}`;
  }
  return head;
}
