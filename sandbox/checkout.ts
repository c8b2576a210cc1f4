import type { RunningApp } from '../src/main.js';
import type { FakeSmartyPay } from '../test/support/fake-smartypay.js';
import { lessThan, moreThan } from './amounts.js';
import type { SandboxClock } from './clock.js';

// The simulated SMARTy Pay checkout: each choice changes the simulator's invoice and, like the real
// service, sends a signed webhook to the app (or, for "lose", does not). Expiry has no webhook at all:
// the clock jumps past expiresAt and the app's reconciler notices on its next check.

export const CHECKOUT_ACTIONS = ['pay', 'pay-less', 'pay-more', 'expire', 'lose-webhook'] as const;
export type CheckoutAction = (typeof CHECKOUT_ACTIONS)[number];

export interface WebhookDelivery {
  at: string;
  invoiceId: string;
  status: string;
  paidAmount?: string;
  /** The app's HTTP answer; null when the webhook was lost on purpose. */
  httpStatus: number | null;
  note?: string;
}

export interface SandboxCheckout {
  act(invoiceId: string, action: CheckoutAction): Promise<WebhookDelivery | { expiredAt: string }>;
  /** Jumps the clock and lets the reconciler and the outbox catch up at once. */
  advanceClock(ms: number): Promise<void>;
  deliveries(): WebhookDelivery[];
}

export interface SandboxCheckoutDeps {
  smartypay: FakeSmartyPay;
  webhookUrl: string;
  clock: SandboxClock;
  workers: RunningApp['workers'];
}

export function createSandboxCheckout(deps: SandboxCheckoutDeps): SandboxCheckout {
  const { smartypay, clock, workers } = deps;
  const deliveries: WebhookDelivery[] = [];

  async function catchUp(): Promise<void> {
    await workers.reconciler.tick();
    workers.outbox.wake();
  }

  async function webhook(invoiceId: string, status: string, paidAmount: string): Promise<WebhookDelivery> {
    const at = new Date().toISOString();
    let delivery: WebhookDelivery;
    try {
      const answer = await smartypay.sendWebhook(deps.webhookUrl, invoiceId, { status, paidAmount });
      delivery = { at, invoiceId, status, paidAmount, httpStatus: answer.status };
    } catch (error) {
      delivery = { at, invoiceId, status, paidAmount, httpStatus: null, note: `not delivered: ${String(error)}` };
    }
    deliveries.push(delivery);
    return delivery;
  }

  return {
    async act(invoiceId, action) {
      const invoice = smartypay.invoices.get(invoiceId);
      if (!invoice) throw new RangeError(`SMARTy Pay simulator knows no invoice ${invoiceId}`);
      switch (action) {
        case 'pay':
          return webhook(invoiceId, 'Paid', invoice.amount);
        case 'pay-less':
          return webhook(invoiceId, 'UnderPaid', lessThan(invoice.amount));
        case 'pay-more':
          return webhook(invoiceId, 'OverPaid', moreThan(invoice.amount));
        case 'lose-webhook': {
          smartypay.setStatus(invoiceId, 'Paid', invoice.amount);
          const lost: WebhookDelivery = {
            at: new Date().toISOString(),
            invoiceId,
            status: 'Paid',
            paidAmount: invoice.amount,
            httpStatus: null,
            note: 'lost on purpose: the bot finds it at its next re-check (advance the clock)',
          };
          deliveries.push(lost);
          return lost;
        }
        case 'expire': {
          // SMARTy Pay sends nothing when an invoice expires; the app's reconciler checks at expiresAt.
          if (invoice.status === 'Created' || invoice.status === 'Confirming')
            smartypay.setStatus(invoiceId, 'Expired');
          clock.advanceTo(new Date(invoice.expiresAt.getTime() + 1_000));
          await catchUp();
          return { expiredAt: invoice.expiresAt.toISOString() };
        }
      }
    },
    async advanceClock(ms) {
      clock.advance(ms);
      await catchUp();
    },
    deliveries: () => [...deliveries],
  };
}
