import { GrammyError, HttpError } from 'grammy';

// What a failed Telegram call means for the notification that made it.

export type FailureDecision =
  /** Telegram already shows what we wanted ("message is not modified"). */
  | { action: 'done'; reason: string }
  /** Nothing to deliver any more (the card to edit is gone); not an error. */
  | { action: 'skip'; reason: string }
  /** Will never succeed: blocked, kicked, chat gone, request rejected. */
  | { action: 'fail'; reason: string }
  /** Telegram asked us to wait exactly this long. */
  | { action: 'wait'; reason: string; seconds: number }
  /** The group became a supergroup: retry at once in the new chat. */
  | { action: 'migrate'; reason: string; newChatId: number }
  /** Transient: network, 5xx, anything unknown. */
  | { action: 'retry'; reason: string };

/** Telegram refused an edit because the message already reads exactly so: the edit's goal is met. */
export function isNotModified(error: unknown): boolean {
  return (
    error instanceof GrammyError &&
    error.error_code === 400 &&
    error.description.toLowerCase().includes('message is not modified')
  );
}

export function classifyTelegramFailure(error: unknown): FailureDecision {
  if (error instanceof GrammyError) {
    const code = error.error_code;
    const description = error.description.toLowerCase();
    const reason = `${code} ${error.description}`;
    const params = error.parameters ?? {};
    if (code === 429) return { action: 'wait', reason, seconds: Math.max(1, params.retry_after ?? 5) };
    if (params.migrate_to_chat_id) return { action: 'migrate', reason, newChatId: params.migrate_to_chat_id };
    if (isNotModified(error)) return { action: 'done', reason };
    if (
      code === 400 &&
      (description.includes('message to edit not found') || description.includes("message can't be edited"))
    ) {
      return { action: 'skip', reason };
    }
    // 401/404 mean a wrong token or API root: an operator can fix that, so keep the message.
    if (code === 403 || code === 400) return { action: 'fail', reason };
    return { action: 'retry', reason };
  }
  if (error instanceof HttpError) return { action: 'retry', reason: `network: ${error.message}` };
  return { action: 'retry', reason: error instanceof Error ? error.message : String(error) };
}

/** The metrics label of a failed call: Telegram's error_code, 'network' when Telegram was not reached. */
export function telegramErrorCode(error: unknown): string {
  if (error instanceof GrammyError) return String(error.error_code);
  if (error instanceof HttpError) return 'network';
  return 'other';
}

/** Exponential backoff with full jitter: 1 s, 2 s, 4 s … capped at `capMs`. */
export function backoffMs(attempt: number, random: () => number = Math.random, capMs = 10 * 60_000): number {
  const ceiling = Math.min(capMs, 1000 * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
