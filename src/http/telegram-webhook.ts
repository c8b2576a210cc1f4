import express, { type NextFunction, type Request, type Response, Router } from 'express';
import type { Update } from 'grammy/types';
import type { Logger } from 'pino';
import { sameSecret } from './same-secret.js';

export const TELEGRAM_WEBHOOK_PATH = '/telegram/webhook';
/** Telegram's updates are a few kB; a generous bound that still makes a flood of big bodies cheap to refuse. */
export const TELEGRAM_BODY_LIMIT_BYTES = 256 * 1024;

export interface TelegramWebhookDeps {
  secretToken: string;
  logger: Logger;
  /** Updates accepted and not yet handled, at most; past it the answer is 503 and Telegram retries later. */
  maxInFlight: number;
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

/** Answers without reading the body, and closes the connection so the unread body costs nothing more. */
function refuse(res: Response, status: number, error: string): void {
  res.set('Connection', 'close');
  res.status(status).json({ error });
}

/**
 * Telegram pushes updates here in webhook mode. The answer comes right after the update is recorded:
 * Telegram redelivers anything not acknowledged quickly, and /pay waits on SMARTy Pay for seconds.
 * The update_id record makes a redelivery (to this or another replica) a no-op.
 *
 * Everything that costs nothing is checked before the body is read: the secret (constant time), the declared
 * size and the bound on updates in flight. Only then is the JSON parsed.
 */
export function createTelegramWebhook(deps: TelegramWebhookDeps): TelegramWebhook {
  const inFlight = new Set<Promise<void>>();
  /** Slots taken: updates being recorded plus updates being handled. */
  let taken = 0;

  const gate = (req: Request, res: Response, next: NextFunction): void => {
    if (!sameSecret(req.get('x-telegram-bot-api-secret-token'), deps.secretToken)) {
      deps.logger.warn({ ip: req.ip }, 'rejected Telegram webhook call: wrong or missing secret token');
      refuse(res, 401, 'unauthorized');
      return;
    }
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > TELEGRAM_BODY_LIMIT_BYTES) {
      refuse(res, 413, 'payload too large');
      return;
    }
    if (taken >= deps.maxInFlight) {
      // Not recorded, so Telegram's retry is handled as a first delivery.
      deps.logger.warn({ inFlight: taken }, 'Telegram webhook busy: updates in flight at the bound, answered 503');
      res.set('Retry-After', '1');
      refuse(res, 503, 'busy');
      return;
    }
    taken++;
    let released = false;
    res.locals.releaseSlot = () => {
      if (!released) taken--;
      released = true;
    };
    // A request that ends before the handler runs (body too large, bad JSON, client gone) gives its slot back.
    res.on('close', () => {
      if (!res.locals.handling) (res.locals.releaseSlot as () => void)();
    });
    next();
  };

  const router = Router();
  router.post(
    TELEGRAM_WEBHOOK_PATH,
    gate,
    express.json({ limit: TELEGRAM_BODY_LIMIT_BYTES }),
    async (req: Request, res: Response) => {
      const release = res.locals.releaseSlot as () => void;
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
      res.locals.handling = true;
      res.status(200).json({ ok: true });
      const handling: Promise<void> = deps
        .handleUpdate(update)
        .catch((error) => deps.logger.error({ err: error, updateId: update.update_id }, 'update handler failed'))
        .finally(() => {
          inFlight.delete(handling);
          release();
        });
      inFlight.add(handling);
    },
  );
  return {
    router,
    async idle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}
