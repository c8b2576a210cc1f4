import type { Transformer } from 'grammy';

// The outbox's send budget (src/notify/pacing.ts) decides how many messages go when they are claimed; between that
// decision and the request leaving, a busy event loop delays some sends more than others (a query per row, rendering,
// other work: a webhook burst being applied), and sends decided a few milliseconds apart can leave together. Under
// p4's burst that put 31 messages into one second at a fake that accepts 30. This is the last check, in the process,
// right before each new message leaves: no 1-second window sees more than `perSecond` of them.

/** Methods that post a new message (Telegram's ~30 a second); edits, answers and chat actions are not counted. */
export const isNewMessage = (method: string): boolean =>
  (method.startsWith('send') && method !== 'sendChatAction') || method === 'copyMessage' || method === 'forwardMessage';

export function spaceNewMessages(perSecond: number): Transformer {
  /** When the last `perSecond` new messages left, oldest first. */
  const recent: number[] = [];
  // First come, first go: each send waits for the one before it to have its turn.
  let queue: Promise<void> = Promise.resolve();
  const turn = async () => {
    for (;;) {
      const now = performance.now();
      while (recent.length > 0 && now - (recent[0] as number) >= 1000) recent.shift();
      if (recent.length < perSecond) {
        recent.push(now);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 1000 - (now - (recent[0] as number))));
    }
  };
  return (prev, method, payload, signal) => {
    if (!isNewMessage(method)) return prev(method, payload, signal);
    const mine = queue.then(turn);
    queue = mine;
    return mine.then(() => prev(method, payload, signal));
  };
}
