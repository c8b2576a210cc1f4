import type { Lookup } from '../i18n/index.js';
import type { Actor } from '../merchants/permissions.js';
import type { RateQuota } from './quota.js';

// Every way of creating an invoice (/pay, inline mode, Issue again) takes one unit here BEFORE SMARTy Pay is
// called: from the issuer's PAY_RATE_LIMIT_PER_MINUTE and from INVOICE_GLOBAL_LIMIT_PER_MINUTE, which guards
// the SMARTy Pay quota. Both are rows of rate_quota, taken atomically, so they hold across replicas.

export type IssueRefusal = 'user' | 'global';

export interface IssueLimit {
  /** Invoices one issuer may create per minute; 0 = unlimited. */
  perMinute: number;
  /** Takes one invoice for `issuer`, or says which limit is spent (then nothing is taken). */
  take(issuer: Actor): Promise<IssueRefusal | undefined>;
  /** Would `take` refuse now? Takes nothing (inline offers, which only become invoices when chosen). */
  refusal(issuer: Actor): Promise<IssueRefusal | undefined>;
}

/**
 * Whose limit an issue counts against. An anonymous admin's `from` is the same bot account in every group,
 * so they are counted by the chat they write as; everyone else by user id.
 */
export function issuerKey(issuer: Actor): string | undefined {
  if (issuer.senderChatId !== undefined) return `chat:${issuer.senderChatId}`;
  return issuer.userId === undefined ? undefined : `user:${issuer.userId}`;
}

export const GLOBAL_ISSUE_KEY = 'global';

export function createIssueLimit(deps: { quota: RateQuota; perMinute: number; globalPerMinute: number }): IssueLimit {
  const { quota, perMinute, globalPerMinute } = deps;
  const userKey = (issuer: Actor) => (perMinute > 0 ? issuerKey(issuer) : undefined);

  return {
    perMinute,
    async take(issuer) {
      const key = userKey(issuer);
      const mine = key === undefined ? undefined : await quota.take(key, perMinute);
      if (key !== undefined && !mine) return 'user';
      if (globalPerMinute > 0 && !(await quota.take(GLOBAL_ISSUE_KEY, globalPerMinute))) {
        // Nothing will be issued: the issuer's unit goes back.
        if (mine) await quota.release(mine);
        return 'global';
      }
      return undefined;
    },

    async refusal(issuer) {
      const key = userKey(issuer);
      if (key !== undefined && (await quota.isFull(key, perMinute))) return 'user';
      if (globalPerMinute > 0 && (await quota.isFull(GLOBAL_ISSUE_KEY, globalPerMinute))) return 'global';
      return undefined;
    },
  };
}

/** The one-line answer to a refused issue; `inline` picks the shorter texts of an inline offer's button. */
export function issueRefusalText(t: Lookup, refusal: IssueRefusal, limit: IssueLimit, inline = false): string {
  if (refusal === 'global') return t(inline ? 'inline-busy' : 'pay-busy');
  return t(inline ? 'inline-rate-limited' : 'pay-rate-limited', { max: limit.perMinute });
}
