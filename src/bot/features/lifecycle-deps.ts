import type { InvoiceRow } from '../../db/schema.js';
import type { InvoiceStatus } from '../../db/vocabulary.js';
import type { Translator } from '../../i18n/index.js';
import type { IssueLimit } from '../../invoices/issue-limit.js';
import type { InvoiceLifecycle } from '../../invoices/lifecycle.js';
import type { InvoiceService } from '../../invoices/service.js';
import type { Permissions } from '../../merchants/permissions.js';

/** What the card buttons and /cancel need. */
export interface LifecycleFeatureDeps {
  invoices: InvoiceService;
  lifecycle: InvoiceLifecycle;
  permissions: Permissions;
  /** A card is re-rendered in the language it was sent in (the invoice's locale). */
  translator: Translator;
  /** Issue again counts like /pay. */
  issueLimit: IssueLimit;
  now?: (() => Date) | undefined;
}

const STATUS_ANSWER_KEYS: Record<InvoiceStatus, string> = {
  Unconfirmed: 'check-waiting',
  Created: 'check-waiting',
  Confirming: 'check-waiting',
  Expired: 'check-expired',
  Cancelled: 'check-cancelled',
  UnderPaid: 'check-underpaid',
  Invalid: 'check-invalid',
  Paid: 'check-paid',
  SimplePaid: 'check-paid',
  OverPaid: 'check-paid',
  Withdrawn: 'check-paid',
};

/** The i18n key naming an invoice's state in a short answer ("check-paid", …). */
export function statusAnswerKey(invoice: InvoiceRow): string {
  return STATUS_ANSWER_KEYS[invoice.status];
}
