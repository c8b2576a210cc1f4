import { timingSafeEqual } from 'node:crypto';
import express, { type Request, type Response, Router } from 'express';
import type { Update } from 'grammy/types';
import type { Logger } from 'pino';

export const TELEGRAM_WEBHOOK_PATH = '/telegram/webhook';

export interface TelegramWebhookDeps {
  secretToken: string;
  logger: Logger;
  /** Dedupe across replicas and redeliveries. */
  isFirstDelivery(updateId: number): Promise<boolean>;
  /** Handles the update after Telegram got its 200. */
  handleUpdate(update: Update): Promise<void>;
}

export interface TelegramWebhook {
  router: Router;
  /** Resolves when every update accepted so far has been handled (bounded by the caller). */
  idle(): Promise<void>;
}

function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Telegram pushes updates here in webhook mode. The answer comes right after the update is recorded:
 * Telegram redelivers anything not acknowledged quickly, and /pay waits on SMARTy Pay for seconds.
 * The update_id record makes a redelivery (to this or another replica) a no-op.
 */
export function createTelegramWebhook(deps: TelegramWebhookDeps): TelegramWebhook {
  const inFlight = new Set<Promise<void>>();
  const router = Router();
  router.post(TELEGRAM_WEBHOOK_PATH, express.json({ limit: '1mb' }), async (req: Request, res: Response) => {
    if (!sameSecret(req.get('x-telegram-bot-api-secret-token'), deps.secretToken)) {
      deps.logger.warn({ ip: req.ip }, 'rejected Telegram webhook call: wrong or missing secret token');
      res.status(401).json({ error: 'unauthorized' });
      return;
    }
    const update = req.body as Update;
    if (!update || typeof update.update_id !== 'number') {
      res.status(400).json({ error: 'not an update' });
      return;
    }
    try {
      if (!(await deps.isFirstDelivery(update.update_id))) {
        res.status(200).json({ ok: true, duplicate: true });
        return;
      }
    } catch (error) {
      // Not recorded: Telegram will deliver it again.
      deps.logger.error({ err: error, updateId: update.update_id }, 'could not record a Telegram update');
      res.status(503).json({ error: 'temporarily unavailable' });
      return;
    }
    res.status(200).json({ ok: true });
    const handling: Promise<void> = deps
      .handleUpdate(update)
      .catch((error) => deps.logger.error({ err: error, updateId: update.update_id }, 'update handler failed'))
      .finally(() => inFlight.delete(handling));
    inFlight.add(handling);
  });
  return {
    router,
    async idle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}
