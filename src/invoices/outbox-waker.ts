import type { Query } from '../db/client.js';
import { applyTransition, type TransitionInput, type TransitionResult } from './transition.js';

// Every outbox row is written in the transaction that creates or changes its invoice (issue.ts, transition.ts,
// the reminders statement). Those writers wake the worker themselves once their transaction committed, so no
// caller (a bot feature, the webhook route, the reconciler) can forget to, and none has to.

/** The outbox worker, as the domain sees it: told that committed rows are waiting. */
export interface OutboxWaker {
  wake(): void;
}

/** applyTransition, then a wake when it applied: the statement is its own transaction, committed once it returns. */
export async function transitionAndWake(
  query: Query,
  outbox: OutboxWaker,
  input: TransitionInput,
): Promise<TransitionResult> {
  const result = await applyTransition(query, input);
  if (result.outcome === 'applied') outbox.wake();
  return result;
}
