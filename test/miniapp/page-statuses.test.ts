import { expect, it } from 'vitest';
import { INVOICE_STATUSES } from '../../src/db/vocabulary.js';
import { STATUSES } from '../../src/miniapp/page/statuses.js';

it("the dashboard's status filter offers exactly the server's invoice statuses, each once", () => {
  expect([...STATUSES].sort()).toEqual([...INVOICE_STATUSES].sort());
});
