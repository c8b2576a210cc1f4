import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { type Locale, pickLocale } from '../i18n/index.js';
import type { Permissions } from '../merchants/permissions.js';
import { type InitDataCheck, type InitDataUser, verifyInitData } from './init-data.js';

// Every /app/api/ request carries `Authorization: tma <raw initData>` (the Mini App SDK's convention): checked as
// Telegram specifies (init-data.ts), then the merchant rule the bot's commands use (MERCHANT_USER_IDS, in a private
// chat). 401 when it is missing, forged, tampered with, another bot's or stale; 403 for a real user who is no
// merchant. The page shows a sentence for each (`reason`).

export interface MiniAppAuthDeps {
  botToken: string;
  maxAgeSeconds: number;
  now: () => Date;
  permissions: Pick<Permissions, 'refusal'>;
  logger: Logger;
}

export interface Merchant {
  user: InitDataUser;
  locale: Locale;
}

export function merchantOf(res: Response): Merchant {
  return res.locals.merchant as Merchant;
}

const SCHEME = /^tma (\S+)$/;

export function requireMerchant(deps: MiniAppAuthDeps) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const header = req.get('authorization');
    const raw = header === undefined ? undefined : SCHEME.exec(header)?.[1];
    // No header: 'missing'; a header of another scheme: 'malformed'.
    const check: InitDataCheck =
      header !== undefined && raw === undefined
        ? { ok: false, reason: 'malformed' }
        : verifyInitData(raw, { botToken: deps.botToken, maxAgeSeconds: deps.maxAgeSeconds, now: deps.now() });
    if (!check.ok) {
      const reason = check.reason === 'expired' ? 'expired' : check.reason === 'missing' ? 'missing' : 'invalid';
      deps.logger.info({ reason: check.reason, ip: req.ip }, 'dashboard request refused: init data not accepted');
      res.status(401).json({ error: 'unauthorized', reason });
      return;
    }
    const refusal = await deps.permissions.refusal({ userId: check.user.id, chatType: 'private' });
    if (refusal !== undefined) {
      deps.logger.info({ userId: check.user.id, refusal }, 'dashboard request refused: not a merchant');
      res.status(403).json({ error: 'forbidden', reason: refusal === 'setup_mode' ? 'setup_mode' : 'not_merchant' });
      return;
    }
    res.locals.merchant = { user: check.user, locale: pickLocale(check.user.languageCode) } satisfies Merchant;
    next();
  };
}
