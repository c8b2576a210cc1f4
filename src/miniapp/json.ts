import type { AccessGrantRow, InvoiceRow, ProductRow } from '../db/schema.js';
import { normaliseDecimal } from '../decimal.js';
import type { InvoiceDetail } from '../invoices/reports.js';
import { deliversNothing } from '../products/rules.js';
import type { ProductSummary } from '../products/service.js';

// What the API answers, field by field: rows are never sent whole (no raw payloads, checkout secrets or buyer ids
// the page does not show). Money stays a decimal string; times are ISO strings in UTC.

const iso = (date: Date | null) => (date === null ? null : date.toISOString());

export function invoiceJson(row: InvoiceRow) {
  return {
    id: row.id,
    status: row.status,
    amount: normaliseDecimal(row.amount),
    token: row.token,
    description: row.description,
    chatId: row.chatId,
    notifyChatId: row.notifyChatId,
    productId: row.productId,
    createdAt: iso(row.createdAt),
    expiresAt: iso(row.expiresAt),
    paidAt: iso(row.paidAt),
    cancelledAt: iso(row.cancelledAt),
    paidAmount: row.paidAmount,
    paidToken: row.paidToken,
  };
}

export function invoiceDetailJson(detail: InvoiceDetail) {
  return {
    invoice: { ...invoiceJson(detail.invoice), smartyPayId: detail.invoice.smartyPayId },
    deliveries: detail.deliveries.map((d) => ({
      receivedAt: iso(d.receivedAt),
      firstReceivedAt: iso(d.firstReceivedAt),
      status: d.status,
      outcome: d.outcome,
      repeats: d.repeats,
    })),
    notifications: detail.notifications.map((n) => ({
      kind: n.kind,
      status: n.status,
      attempts: n.attempts,
      createdAt: iso(n.createdAt),
      sentAt: iso(n.sentAt),
      lastError: n.lastError,
    })),
  };
}

/** The product's own fields; `needsContent` by the product card's rule (an access-only product delivers access). */
export function productJson(product: ProductRow) {
  return {
    id: product.id,
    code: product.code,
    title: product.title,
    amount: product.amount,
    token: product.token,
    state: product.state,
    content: product.content?.type ?? null,
    needsContent: deliversNothing(product),
    accessChatTitle: product.accessChatTitle,
  };
}

/** With what it sold, as /products lists it. */
export function productSummaryJson({ product, sales, revenue, stock }: ProductSummary) {
  return { ...productJson(product), sales, revenue, stock };
}

export type MemberStanding = 'active' | 'lapsing' | 'removed';

export function memberJson(grant: AccessGrantRow, standing: MemberStanding, product: ProductRow) {
  return {
    productId: product.id,
    productTitle: product.title,
    chatTitle: product.accessChatTitle,
    userId: grant.userId,
    standing,
    endsAt: iso(grant.endsAt),
    joinedAt: iso(grant.joinedAt),
    removedAt: iso(grant.removedAt),
  };
}
