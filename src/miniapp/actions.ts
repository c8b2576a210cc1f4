import { Router } from 'express';
import { parseAmount } from '../invoices/amount.js';
import { parseKeyLines, parseProductFields, parseProductTitle } from '../products/rules.js';
import type { MiniAppApiDeps } from './api.js';
import { merchantOf } from './auth.js';
import { productJson } from './json.js';
import { idParam } from './params.js';

// The dashboard's merchant actions, through the same services and rules as /newproduct, /addkeys, the product
// card's Pause/Resume and /revoke. Every one acts only on the signed-in merchant's own products.

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value.trim() : undefined);

export function createActionsRouter(
  deps: Pick<MiniAppApiDeps, 'products' | 'grants' | 'lapse' | 'settings' | 'logger'>,
) {
  const router = Router();

  router.post('/products', async (req, res) => {
    const { title, amount, token } = req.body ?? {};
    const parsed = parseProductFields(
      { amount: text(amount), token: text(token), title: text(title) },
      deps.settings.tokens,
    );
    if (!parsed.ok) {
      res.status(400).json({ error: 'invalid product', problem: parsed.problem });
      return;
    }
    const { user, locale } = merchantOf(res);
    const product = await deps.products.create({ ...parsed.product, merchantUserId: user.id, locale });
    deps.logger.info({ productId: product.id, merchantUserId: user.id }, 'product created from the dashboard');
    res.status(201).json({ product: productJson(product) });
  });

  router.patch('/products/:id', async (req, res) => {
    const id = idParam(req.params.id);
    const merchantUserId = merchantOf(res).user.id;
    const body = req.body ?? {};
    const title = typeof body.title === 'string' ? parseProductTitle(body.title) : undefined;
    const amount = body.amount === undefined ? undefined : parseAmount(String(body.amount));
    const state = body.state;
    if (
      id === undefined ||
      (title !== undefined && !title.ok) ||
      (amount !== undefined && !amount.ok) ||
      (state !== undefined && state !== 'active' && state !== 'paused')
    ) {
      res.status(400).json({ error: 'invalid change' });
      return;
    }
    // Pause/Resume sends only the state: nothing else to write.
    const changes = { title: title?.ok ? title.title : undefined, amount: amount?.ok ? amount.value : undefined };
    let product =
      changes.title !== undefined || changes.amount !== undefined
        ? await deps.products.edit(merchantUserId, id, changes)
        : await deps.products.findOwnedById(merchantUserId, id);
    if (product?.state === 'deleted') product = undefined;
    if (product && state !== undefined && state !== product.state) {
      product = await deps.products.setState(merchantUserId, id, state);
    }
    if (!product) {
      res.status(404).json({ error: 'not found' });
      return;
    }
    // The row's own fields: the page reloads the list (with sales and stock) after any change.
    res.json({ product: productJson(product) });
  });

  router.post('/products/:id/keys', async (req, res) => {
    const id = idParam(req.params.id);
    const merchantUserId = merchantOf(res).user.id;
    const product = id === undefined ? undefined : await deps.products.findOwnedById(merchantUserId, id);
    if (!product) {
      res.status(404).json({ error: 'not found' });
      return;
    }
    // The same reading as the lines after `/addkeys <code>`.
    const parsed = parseKeyLines((typeof req.body?.keys === 'string' ? req.body.keys : '').split(/\r?\n/));
    if (!parsed.ok) {
      res.status(400).json({ error: 'invalid keys', problem: parsed.problem });
      return;
    }
    const added = await deps.products.addKeys(merchantUserId, product.code, parsed.keys);
    if (!added) {
      res.status(404).json({ error: 'not found' });
      return;
    }
    res.json({ added: added.added, stock: (await deps.products.keyCounts(product.id)).free });
  });

  router.post('/members/revoke', async (req, res) => {
    const productId = idParam(req.body?.productId);
    const userId = idParam(req.body?.userId);
    const merchantUserId = merchantOf(res).user.id;
    const product = productId === undefined ? undefined : await deps.products.findOwnedById(merchantUserId, productId);
    if (!product || userId === undefined || product.accessChatId === null) {
      res.status(404).json({ error: 'not found' });
      return;
    }
    // As /revoke: the grant ends now and they are removed at once.
    const revoked = await deps.lapse.revoke(product.id, userId);
    if (!revoked) {
      res.json({ revoked: false });
      return;
    }
    const removal = revoked.result;
    deps.logger.info(
      { productId: product.id, userId, grantId: revoked.grantId, removal },
      'access revoked from the dashboard',
    );
    res.json({ revoked: true, removal });
  });

  return router;
}
