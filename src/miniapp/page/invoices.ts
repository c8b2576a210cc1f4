import type { InvoiceJson, View } from './context.js';
import { append, field, h, replace } from './dom.js';
import { money, utc } from './i18n.js';
import { STATUSES } from './statuses.js';

// Invoices: /app/api/invoices newest first, a keyset page at a time ("Show more"), filtered by status and chat;
// a tap opens the detail with every webhook delivery SMARTy Pay made for it and what the bot sent about it.

interface Detail {
  invoice: InvoiceJson & { smartyPayId: string };
  deliveries: Array<{ receivedAt: string; firstReceivedAt: string; status: string; outcome: string; repeats: number }>;
  notifications: Array<{
    kind: string;
    status: string;
    attempts: number;
    createdAt: string;
    sentAt: string | null;
    lastError: string | null;
  }>;
}

const statusLabel = (view: View, status: string) => view.t(`app-status-${status}`);

export async function showInvoices(view: View, filter = { status: '', chat: '' }): Promise<void> {
  const { t, call, root } = view;
  const { chats } = await call<{ chats: Array<{ chatId: number; invoices: number }> }>('chats');
  const status = h(
    'select',
    { id: 'filter-status', 'aria-label': t('app-filter-status') },
    h('option', { value: '' }, t('app-filter-any-status')),
    ...STATUSES.map((s) => h('option', { value: s, selected: s === filter.status }, statusLabel(view, s))),
  );
  const chat = h(
    'select',
    { id: 'filter-chat', 'aria-label': t('app-filter-chat') },
    h('option', { value: '' }, t('app-filter-any-chat')),
    ...chats.map((c) =>
      h(
        'option',
        { value: String(c.chatId), selected: String(c.chatId) === filter.chat },
        t('app-chat', { chat: String(c.chatId) }),
      ),
    ),
  );
  const list = h('ul', { class: 'list', id: 'invoice-list' });
  const more = h('button', { class: 'secondary', id: 'more', hidden: true }, t('app-more'));
  const refilter = () => void showInvoices(view, { status: status.value, chat: chat.value });
  status.addEventListener('change', refilter);
  chat.addEventListener('change', refilter);
  replace(root, h('h2', {}, t('app-tab-invoices')), h('div', { class: 'filters' }, status, chat), list, more);

  let after: string | null = null;
  async function load(): Promise<void> {
    const query = new URLSearchParams();
    if (filter.status) query.set('status', filter.status);
    if (filter.chat) query.set('chat', filter.chat);
    if (after) query.set('after', after);
    const page = await call<{ invoices: InvoiceJson[]; next: string | null }>(`invoices?${query}`);
    if (page.invoices.length === 0 && after === null) append(list, [h('li', { class: 'hint' }, t('app-no-invoices'))]);
    append(
      list,
      page.invoices.map((invoice) =>
        h(
          'li',
          { class: 'row invoice', 'data-id': String(invoice.id) },
          h(
            'button',
            { class: 'row-button', onclick: () => void showInvoice(view, invoice.id, filter) },
            h(
              'span',
              { class: 'row-title' },
              t('app-invoice-number', { id: String(invoice.id) }),
              ' · ',
              money(invoice.amount, invoice.token, t.locale),
            ),
            h('span', { class: `badge status-${invoice.status}` }, statusLabel(view, invoice.status)),
            h(
              'span',
              { class: 'row-meta' },
              utc(invoice.createdAt),
              invoice.description ? ` · ${invoice.description}` : '',
            ),
          ),
        ),
      ),
    );
    after = page.next;
    more.hidden = after === null;
  }
  more.addEventListener('click', () => void load());
  await load();
}

async function showInvoice(view: View, id: number, filter = { status: '', chat: '' }): Promise<void> {
  const { t, call, root } = view;
  const { invoice, deliveries, notifications } = await call<Detail>(`invoices/${id}`);
  const received =
    invoice.paidAmount === null ? '—' : money(invoice.paidAmount, invoice.paidToken ?? invoice.token, t.locale);
  replace(
    root,
    h('button', { class: 'link back', onclick: () => void showInvoices(view, filter) }, `‹ ${t('app-back')}`),
    h('h2', {}, t('app-invoice-number', { id: String(invoice.id) })),
    h(
      'section',
      { class: 'card' },
      h(
        'dl',
        { class: 'fields' },
        field(t('app-field-status'), statusLabel(view, invoice.status)),
        field(t('app-field-amount'), money(invoice.amount, invoice.token, t.locale)),
        field(t('app-field-received'), received),
        field(t('app-field-description'), invoice.description ?? '—'),
        field(t('app-field-chat'), String(invoice.chatId ?? invoice.notifyChatId)),
        field(t('app-field-created'), utc(invoice.createdAt)),
        field(t('app-field-expires'), utc(invoice.expiresAt)),
        field(t('app-field-paid'), utc(invoice.paidAt)),
        invoice.cancelledAt && field(t('app-field-cancelled'), utc(invoice.cancelledAt)),
        field(t('app-field-smartypay-id'), invoice.smartyPayId),
      ),
    ),
    h('h3', {}, t('app-deliveries-title')),
    deliveries.length === 0
      ? h('p', { class: 'hint', id: 'no-deliveries' }, t('app-deliveries-none'))
      : h(
          'ul',
          { class: 'list', id: 'deliveries' },
          ...deliveries.map((d) =>
            h(
              'li',
              { class: 'row delivery' },
              h('span', { class: 'row-title' }, utc(d.receivedAt), ' · ', d.status),
              h('span', { class: `badge outcome-${d.outcome}` }, t(`app-outcome-${d.outcome}`)),
              d.outcome === 'duplicate' &&
                h(
                  'span',
                  { class: 'row-meta' },
                  t('app-repeats', { repeats: d.repeats, first: utc(d.firstReceivedAt) }),
                ),
            ),
          ),
        ),
    h('h3', {}, t('app-notifications-title')),
    notifications.length === 0
      ? h('p', { class: 'hint' }, t('app-notifications-none'))
      : h(
          'ul',
          { class: 'list', id: 'notifications' },
          ...notifications.map((n) =>
            h(
              'li',
              { class: 'row' },
              h('span', { class: 'row-title' }, n.kind),
              h('span', { class: `badge outbox-${n.status}` }, t(`app-outbox-${n.status}`)),
              h(
                'span',
                { class: 'row-meta' },
                n.sentAt ? utc(n.sentAt) : t('app-attempts', { attempts: n.attempts }),
                n.lastError ? ` · ${n.lastError}` : '',
              ),
            ),
          ),
        ),
  );
}
