// The status filter's choices, in the order the page lists them. The page imports nothing outside page/, so this is
// the server's INVOICE_STATUSES (src/db/vocabulary.ts) written again; test/miniapp/page-statuses.test.ts fails when
// the two differ.
export const STATUSES = [
  'Created',
  'Confirming',
  'Paid',
  'SimplePaid',
  'OverPaid',
  'UnderPaid',
  'Invalid',
  'Expired',
  'Cancelled',
  'Withdrawn',
  'Unconfirmed',
] as const;
