import { Router } from 'express';
import { createMiniAppApi, type MiniAppApiDeps } from './api.js';
import { createMiniAppPage } from './page.js';

// The merchant dashboard, a Telegram Mini App on the bot's own HTTP server: the page at /app/ and its API under
// /app/api/ (docs/architecture.md, "The dashboard").

export function createMiniAppRouter(deps: MiniAppApiDeps & { pageDirectory?: string | undefined }): Router {
  const router = Router();
  router.use(createMiniAppApi(deps));
  router.use(createMiniAppPage(deps.pageDirectory));
  return router;
}
