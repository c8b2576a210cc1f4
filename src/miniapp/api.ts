import express, { type Request, type Response, Router } from 'express';
import type { Logger } from 'pino';
import type { AccessGrants } from '../access/grants.js';
import type { AccessGrantRow } from '../db/schema.js';
import { INVOICE_STATUSES, type InvoiceStatus } from '../db/vocabulary.js';
import type { InvoiceReports } from '../invoices/reports.js';
import type { AccessLapse } from '../notify/access-lapse.js';
import type { TokenPolicy } from '../payments/currencies.js';
import type { ProductService } from '../products/service.js';
import { endingSoonMs, memberStanding } from '../views/access.js';
import { createActionsRouter } from './actions.js';
import { type MiniAppAuthDeps, merchantOf, requireMerchant } from './auth.js';
import { invoiceDetailJson, invoiceJson, type MemberStanding, memberJson, productSummaryJson } from './json.js';
import { idParam } from './params.js';

// /app/api/: the dashboard's questions, answered by the services the bot's commands use (reports.ts for /stats
// and /invoices, products/service.ts for /products, access/grants.ts for /members), never by queries of its own.

const MINIAPP_API_PATH = '/app/api';
const PAGE_SIZE = 20;
const LIST_LIMIT = 100;

interface MiniAppSettings {
  tokens: TokenPolicy;
  invoiceTtlMinutes: number;
  reminderMinutes: number;
  accessReminderHours: readonly number[];
  /** PUBLIC_URL + /webhooks/smartypay, or undefined without PUBLIC_URL. */
  smartyPayWebhookUrl: string | undefined;
}

export interface MiniAppApiDeps extends MiniAppAuthDeps {
  reports: InvoiceReports;
  products: ProductService;
  grants: Pick<AccessGrants, 'listForProducts'>;
  /** Revoking removes the member now, as /revoke does (same rules: never an administrator, owner or merchant). */
  lapse: Pick<AccessLapse, 'revoke'>;
  settings: MiniAppSettings;
  logger: Logger;
}

const isStatus = (value: unknown): value is InvoiceStatus =>
  typeof value === 'string' && (INVOICE_STATUSES as readonly string[]).includes(value);

export function createMiniAppApi(deps: MiniAppApiDeps): Router {
  const router = Router();
  const api = Router();
  router.use(MINIAPP_API_PATH, (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  router.use(MINIAPP_API_PATH, requireMerchant(deps), express.json({ limit: '64kb' }), api);

  api.get('/me', (_req, res) => {
    const { user, locale } = merchantOf(res);
    res.json({ user: { id: user.id, firstName: user.firstName, username: user.username ?? null }, locale });
  });

  api.get('/stats', async (_req, res) => {
    res.json(await deps.reports.overview());
  });

  api.get('/invoices', async (req: Request, res: Response) => {
    const { status, chat, after, limit } = req.query;
    const size =
      typeof limit === 'string' && /^\d{1,3}$/.test(limit)
        ? Math.min(LIST_LIMIT, Math.max(1, Number(limit)))
        : PAGE_SIZE;
    if (
      (status !== undefined && status !== '' && !isStatus(status)) ||
      (chat !== undefined && chat !== '' && idParam(chat, 'signed') === undefined)
    ) {
      res.status(400).json({ error: 'bad filter' });
      return;
    }
    const page = await deps.reports.browse({
      status: isStatus(status) ? status : undefined,
      chatId: idParam(chat, 'signed'),
      after: idParam(after, 'signed'),
      limit: size,
    });
    res.json({ invoices: page.rows.map(invoiceJson), next: page.next === undefined ? null : String(page.next) });
  });

  api.get('/chats', async (_req, res) => {
    res.json({ chats: await deps.reports.chats(LIST_LIMIT) });
  });

  api.get('/invoices/:id', async (req, res) => {
    const id = idParam(req.params.id);
    const detail = id === undefined ? undefined : await deps.reports.detail(id);
    if (!detail) {
      res.status(404).json({ error: 'not found' });
      return;
    }
    res.json(invoiceDetailJson(detail));
  });

  api.get('/products', async (_req, res) => {
    const { items } = await deps.products.list(merchantOf(res).user.id, LIST_LIMIT);
    res.json({
      products: items.filter((item) => item.product.state !== 'deleted').map(productSummaryJson),
      tokens: deps.settings.tokens,
    });
  });

  api.get('/members', async (_req, res) => {
    const { items } = await deps.products.list(merchantOf(res).user.id, LIST_LIMIT);
    const now = deps.now();
    const soonMs = endingSoonMs(deps.settings.accessReminderHours);
    // The bot's /members says which have ended and which end soon; here both are "lapsing".
    const standing = (grant: AccessGrantRow): MemberStanding => {
      const where = memberStanding(grant, now, soonMs);
      return where === 'ended' || where === 'soon' ? 'lapsing' : where;
    };
    const withAccess = items.map((item) => item.product).filter((product) => product.accessChatId !== null);
    const byId = new Map(withAccess.map((product) => [product.id, product]));
    const grants = await deps.grants.listForProducts(
      withAccess.map((product) => product.id),
      LIST_LIMIT,
    );
    const members = grants.flatMap((grant) => {
      const product = byId.get(grant.productId);
      return product ? [memberJson(grant, standing(grant), product)] : [];
    });
    res.json({ members });
  });

  api.get('/settings', async (_req, res) => {
    const { settings } = deps;
    const last = await deps.reports.lastWebhookAt();
    res.json({
      tokens: settings.tokens,
      invoiceTtlMinutes: settings.invoiceTtlMinutes,
      reminderMinutes: settings.reminderMinutes,
      smartyPayWebhookUrl: settings.smartyPayWebhookUrl ?? null,
      lastWebhookAt: last === null ? null : last.toISOString(),
    });
  });

  api.use(createActionsRouter(deps));
  api.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });
  return router;
}
