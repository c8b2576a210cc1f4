import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';

// GET /app/: the dashboard page, built by `npm run build` (src/miniapp/page/build.mjs) into dist/miniapp-page/ and
// served from this server only: no CDN, nothing from telegram.org, so it also works offline on loopback. The
// Content-Security-Policy allows scripts, styles and requests to this origin alone, and framing by Telegram's web
// clients (Telegram Web opens a Mini App in an iframe).

const MINIAPP_PATH = '/app';

/** dist/miniapp-page from src/miniapp/ (tsx, tests) and from dist/miniapp/ (npm start) alike. */
const PAGE_DIRECTORY = fileURLToPath(new URL('../../dist/miniapp-page/', import.meta.url));

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  'frame-ancestors https://web.telegram.org https://*.telegram.org',
].join('; ');

export function createMiniAppPage(directory: string = PAGE_DIRECTORY): Router {
  const router = Router();
  router.use(MINIAPP_PATH, (req, res, next) => {
    if (req.path.startsWith('/api/')) {
      next();
      return;
    }
    res.set({
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-cache',
    });
    if (!existsSync(directory)) {
      res.status(503).type('text/plain').send('The dashboard page is not built: run `npm run build`.\n');
      return;
    }
    next();
  });
  // /app → /app/, so the page's relative asset URLs resolve under it.
  router.get(MINIAPP_PATH, (req, res, next) => {
    if (req.originalUrl === MINIAPP_PATH) res.redirect(301, `${MINIAPP_PATH}/`);
    else next();
  });
  router.use(MINIAPP_PATH, express.static(directory, { index: 'index.html', redirect: false, fallthrough: true }));
  return router;
}
