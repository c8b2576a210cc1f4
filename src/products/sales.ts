import { unconfirmedSmartyPayId } from '../invoices/issue.js';
import type { InvoiceService, IssueForProduct, IssueResult } from '../invoices/service.js';
import type { KeyHolds } from './key-holds.js';

// Selling a product to a buyer who opened its link: a keys product's key is held first (none: "sold out", and
// SMARTy Pay is never asked), then the invoice is made through the same path as /pay and takes the key in its
// transaction. Whatever of the hold no invoice took (SMARTy Pay refused, another request made the invoice) goes
// back to stock; an Unconfirmed create keeps it (src/products/key-holds.ts).

export type SaleResult = IssueResult | { kind: 'sold_out' };

export interface ProductSale extends Omit<IssueForProduct, 'keys'> {
  /** A keys product: one key per sale. */
  keys: boolean;
}

export interface ProductSalesDeps {
  invoices: Pick<InvoiceService, 'issueForProduct'>;
  keys: Pick<KeyHolds, 'hold'>;
}

export interface ProductSales {
  /** `beforeIssue` runs once the sale can go ahead, before SMARTy Pay is asked (the buyer's offer). */
  sell(sale: ProductSale, beforeIssue?: () => Promise<unknown>): Promise<SaleResult>;
}

export function createProductSales(deps: ProductSalesDeps): ProductSales {
  return {
    async sell({ keys, ...sale }, beforeIssue) {
      if (!keys) {
        await beforeIssue?.();
        return deps.invoices.issueForProduct(sale);
      }
      // Held under the placeholder an Unconfirmed invoice of this (chat, message) would have.
      const hold = await deps.keys.hold(sale.product.id, unconfirmedSmartyPayId(sale.chatId, sale.startMessageId));
      if (!hold) return { kind: 'sold_out' };
      try {
        await beforeIssue?.();
        return await deps.invoices.issueForProduct({ ...sale, keys: hold });
      } finally {
        await hold.release();
      }
    },
  };
}
