import type { InvoiceService } from '../invoices/service.js';

// PAY_RATE_LIMIT_PER_MINUTE, for every way a user creates invoices (/pay, inline mode, Issue again).
// Counted from the invoices table, so the limit holds across replicas and restarts.

export interface IssueLimit {
  /** Invoices one user may create per minute; 0 = unlimited. */
  perMinute: number;
  /** True when `userId` already created `perMinute` invoices in the last minute. */
  reached(userId: number | undefined): Promise<boolean>;
}

export function createIssueLimit(deps: {
  invoices: Pick<InvoiceService, 'countIssuedSince'>;
  perMinute: number;
  now?: (() => Date) | undefined;
}): IssueLimit {
  const now = deps.now ?? (() => new Date());
  return {
    perMinute: deps.perMinute,
    async reached(userId) {
      if (deps.perMinute <= 0 || userId === undefined) return false;
      const recent = await deps.invoices.countIssuedSince(userId, new Date(now().getTime() - 60_000));
      return recent >= deps.perMinute;
    },
  };
}
