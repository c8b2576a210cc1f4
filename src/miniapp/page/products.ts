import { act as actOn } from './act.js';
import type { View } from './context.js';
import { h, replace } from './dom.js';
import { decimal, money } from './i18n.js';

// Products (the shop): the merchant's own, with create, edit title/price, pause/resume and keys in stock, through
// the same rules as /newproduct and /addkeys.

interface ProductJson {
  id: number;
  code: string;
  title: string;
  amount: string;
  token: string;
  state: 'active' | 'paused';
  content: string | null;
  /** Nothing to deliver (no content, no paid access): nothing is sold until /setcontent. */
  needsContent: boolean;
  sales: number;
  revenue: string;
  stock: number | null;
}

interface Products {
  products: ProductJson[];
  tokens: { accepted: string[]; defaultToken: string };
}

export async function showProducts(view: View): Promise<void> {
  const { t, call, root } = view;
  const { products, tokens } = await call<Products>('products');
  const reload = () => void showProducts(view);
  const act = (action: () => Promise<unknown>, done: string) => actOn(view, action, done, reload);

  const title = h('input', { name: 'title', placeholder: t('app-product-title'), maxlength: 100, required: true });
  const amount = h('input', {
    name: 'amount',
    placeholder: t('app-product-price'),
    inputmode: 'decimal',
    required: true,
  });
  const token = h(
    'select',
    { name: 'token' },
    ...tokens.accepted.map((name) => h('option', { value: name, selected: name === tokens.defaultToken }, name)),
  );
  const create = h(
    'form',
    { class: 'card form', id: 'new-product' },
    h('h3', {}, t('app-product-new')),
    title,
    h('div', { class: 'inline' }, amount, token),
    h('button', { type: 'submit' }, t('app-product-create')),
    h('p', { class: 'hint' }, t('app-product-content-hint')),
  );
  create.addEventListener('submit', (event) => {
    event.preventDefault();
    void act(
      () =>
        call('products', { method: 'POST', body: { title: title.value, amount: amount.value, token: token.value } }),
      t('app-saved'),
    );
  });

  const item = (p: ProductJson) => {
    const editTitle = h('input', { value: p.title, maxlength: 100, 'aria-label': t('app-product-title') });
    const editPrice = h('input', {
      value: decimal(p.amount, t.locale),
      inputmode: 'decimal',
      'aria-label': t('app-product-price'),
    });
    const keys = h('textarea', {
      rows: 3,
      placeholder: t('app-keys-placeholder'),
      'aria-label': t('app-keys-placeholder'),
    });
    return h(
      'li',
      { class: 'card product', 'data-code': p.code },
      h('div', { class: 'row-title' }, p.title, ' · ', money(p.amount, p.token, t.locale)),
      h(
        'div',
        { class: 'row-meta' },
        h('span', { class: `badge product-${p.state}` }, t(`app-product-${p.state}`)),
        ' ',
        t('app-product-sales', { sales: p.sales, revenue: money(p.revenue, p.token, t.locale) }),
        p.stock === null ? '' : ` · ${t('app-product-stock', { stock: p.stock })}`,
        p.needsContent ? ` · ${t('app-product-no-content', { code: p.code })}` : '',
      ),
      h('code', { class: 'code' }, p.code),
      h(
        'details',
        {},
        h('summary', {}, t('app-product-edit')),
        editTitle,
        editPrice,
        h(
          'button',
          {
            onclick: () =>
              void act(
                () =>
                  call(`products/${p.id}`, {
                    method: 'PATCH',
                    body: { title: editTitle.value, amount: editPrice.value },
                  }),
                t('app-saved'),
              ),
          },
          t('app-save'),
        ),
        keys,
        h(
          'button',
          {
            class: 'secondary',
            onclick: () =>
              void act(
                () => call(`products/${p.id}/keys`, { method: 'POST', body: { keys: keys.value } }),
                t('app-saved'),
              ),
          },
          t('app-keys-add'),
        ),
      ),
      h(
        'button',
        {
          class: 'secondary',
          onclick: () =>
            void act(
              () =>
                call(`products/${p.id}`, {
                  method: 'PATCH',
                  body: { state: p.state === 'active' ? 'paused' : 'active' },
                }),
              t('app-saved'),
            ),
        },
        p.state === 'active' ? t('app-product-pause') : t('app-product-resume'),
      ),
    );
  };

  replace(
    root,
    h('h2', {}, t('app-tab-products')),
    products.length === 0
      ? h('p', { class: 'hint' }, t('app-no-products'))
      : h('ul', { class: 'cards', id: 'products' }, ...products.map(item)),
    create,
  );
}
