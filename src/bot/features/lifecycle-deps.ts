import type { InvoiceRow } from '../../db/schema.js';
import type { Translator } from '../../i18n/index.js';
import type { InvoiceLifecycle } from '../../invoices/lifecycle.js';
import type { InvoiceService } from '../../invoices/service.js';
import { isOpenStatus, isPaidStatus } from '../../invoices/status.js';
import type { Permissions } from '../permissions.js';
import type { IssueLimit } from '../rate-limit.js';

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

/** The i18n key naming an invoice's state in a short answer ("check-paid", …). */
export function statusAnswerKey(invoice: InvoiceRow): string {
  if (isPaidStatus(invoice.status)) return 'check-paid';
  if (isOpenStatus(invoice.status)) return 'check-waiting';
  const keys: Record<string, string> = {
    UnderPaid: 'check-underpaid',
    Invalid: 'check-invalid',
    Expired: 'check-expired',
    Cancelled: 'check-cancelled',
  };
  return keys[invoice.status] ?? 'check-waiting';
}
