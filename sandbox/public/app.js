// The sandbox page: polls /api/state, renders the group chat and the side panel, and posts what the
// person does. Plain browser JavaScript, no build step.

const view = { user: 'merchant', chatKey: '', panelKey: '', checkoutId: null, clockNow: null, lastMessageId: 0 };

const $ = (selector) => document.querySelector(selector);

/** Builds an element; children are nodes or strings (always inserted as text). */
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.error || `HTTP ${response.status}`);
  return data;
}

let toastTimer;
function toast(text) {
  const node = $('#toast');
  node.textContent = text;
  node.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    node.hidden = true;
  }, 3500);
}

// Telegram's HTML subset; anything else is unwrapped to its text, links only for http(s).
const ALLOWED_TAGS = new Set([
  'b',
  'strong',
  'i',
  'em',
  'u',
  'ins',
  's',
  'strike',
  'del',
  'code',
  'pre',
  'a',
  'blockquote',
]);

function copySafe(from, to) {
  for (const node of from.childNodes) {
    if (node.nodeType === Node.TEXT_NODE) {
      to.append(document.createTextNode(node.textContent));
    } else if (node.nodeType === Node.ELEMENT_NODE) {
      const tag = node.tagName.toLowerCase();
      if (!ALLOWED_TAGS.has(tag)) {
        copySafe(node, to);
        continue;
      }
      const copy = document.createElement(tag);
      if (tag === 'a') {
        const href = node.getAttribute('href') || '';
        if (/^https?:\/\//i.test(href)) {
          copy.setAttribute('href', href);
          copy.setAttribute('target', '_blank');
          copy.setAttribute('rel', 'noopener noreferrer');
        }
      }
      copySafe(node, copy);
      to.append(copy);
    }
  }
}

function telegramHtml(html) {
  const doc = new DOMParser().parseFromString(`<body>${html}</body>`, 'text/html');
  const fragment = document.createDocumentFragment();
  copySafe(doc.body, fragment);
  return fragment;
}

function plainText(message) {
  if (!message.html) return message.text;
  return new DOMParser().parseFromString(`<body>${message.text}</body>`, 'text/html').body.textContent || '';
}

const clockTime = (iso) =>
  new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });

function checkoutInvoiceId(url) {
  try {
    return new URL(url).searchParams.get('invoice-id');
  } catch {
    return null;
  }
}

function keyboardButton(button, message) {
  if (typeof button.url === 'string') {
    const invoiceId = checkoutInvoiceId(button.url);
    return el(
      'a',
      {
        class: 'kb-button url',
        href: button.url,
        target: '_blank',
        rel: 'noopener noreferrer',
        onclick: (event) => {
          if (!invoiceId) return;
          event.preventDefault();
          openCheckout(invoiceId);
        },
      },
      button.text,
    );
  }
  if (typeof button.callback_data === 'string') {
    return el(
      'button',
      {
        type: 'button',
        class: 'kb-button callback',
        onclick: async () => {
          try {
            const result = await api('POST', '/api/callback', {
              user: view.user,
              messageId: message.message_id,
              data: button.callback_data,
            });
            if (result.answer) toast(result.answer);
          } catch (error) {
            toast(`Could not press the button: ${error.message}`);
          }
        },
      },
      button.text,
    );
  }
  return el('button', { type: 'button', class: 'kb-button', disabled: true, title: 'not supported here' }, button.text);
}

function renderMessage(message, byId) {
  const mine = message.from.user === view.user;
  const replied = message.reply_to_message_id !== undefined ? byId.get(message.reply_to_message_id) : undefined;
  const rows = message.reply_markup?.inline_keyboard ?? [];
  const text = el('div', { class: 'text' });
  if (message.html) text.append(telegramHtml(message.text));
  else text.textContent = message.text;
  return el(
    'div',
    {
      class: `msg${mine ? ' mine' : ''}${message.from.bot ? ' bot' : ''}${message.deleted ? ' deleted' : ''}`,
      'data-message-id': message.message_id,
    },
    el(
      'div',
      { class: 'bubble' },
      el('div', { class: `sender ${message.from.user ?? 'bot'}` }, message.from.name),
      replied ? el('div', { class: 'reply-quote' }, `${replied.from.name}: ${plainText(replied)}`) : null,
      text,
      el('div', { class: 'meta' }, `${message.edited ? 'edited · ' : ''}${clockTime(message.at)}`),
    ),
    rows.length
      ? el(
          'div',
          { class: 'keyboard' },
          ...rows.map((row) => el('div', { class: 'kb-row' }, ...row.map((button) => keyboardButton(button, message)))),
        )
      : null,
  );
}

function renderChat(state) {
  const key = JSON.stringify([view.user, state.messages]);
  if (key === view.chatKey) return;
  view.chatKey = key;
  const list = $('#messages');
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 60;
  const lastId = state.messages.at(-1)?.message_id ?? 0;
  const byId = new Map(state.messages.map((message) => [message.message_id, message]));
  list.replaceChildren(...state.messages.map((message) => renderMessage(message, byId)));
  // A new message scrolls to it, as in Telegram; an edit keeps the reader where they are.
  if (atBottom || lastId > view.lastMessageId) list.scrollTop = list.scrollHeight;
  view.lastMessageId = lastId;
}

const shortId = (id) => `${String(id).slice(0, 8)}…`;

function rowsOrEmpty(items, columns, render) {
  if (items.length === 0) return [el('tr', {}, el('td', { class: 'empty', colspan: columns }, 'nothing yet'))];
  return items.map(render);
}

function inMinutes(iso) {
  if (!iso || !view.clockNow) return '—';
  const minutes = Math.round((new Date(iso).getTime() - new Date(view.clockNow).getTime()) / 60_000);
  return minutes <= 0 ? `due (${clockTime(iso)})` : `in ${minutes} min`;
}

function renderPanel(state) {
  view.clockNow = state.clock.now;
  $('#clock').textContent = clockTime(state.clock.now);
  const ahead = Math.round(state.clock.offsetMs / 60_000);
  $('#offset').textContent = ahead > 0 ? `(${ahead} min ahead of your clock)` : '';
  const key = JSON.stringify([
    state.deliveries,
    state.outbox,
    state.invoices,
    Math.floor(Date.parse(state.clock.now) / 30_000),
  ]);
  if (key === view.panelKey) return;
  view.panelKey = key;
  $('#deliveries').replaceChildren(
    ...rowsOrEmpty(state.deliveries, 4, (d) =>
      el(
        'tr',
        { title: d.note || '' },
        el('td', {}, clockTime(d.at)),
        el('td', {}, shortId(d.invoiceId)),
        el('td', {}, d.paidAmount ? `${d.status} (${d.paidAmount})` : d.status),
        el(
          'td',
          { class: d.httpStatus === null ? 'warn' : d.httpStatus < 300 ? 'ok' : 'bad' },
          d.httpStatus === null ? 'lost' : String(d.httpStatus),
        ),
      ),
    ),
  );
  $('#outbox').replaceChildren(
    ...rowsOrEmpty(state.outbox, 5, (row) =>
      el(
        'tr',
        {},
        el('td', {}, String(row.id)),
        el('td', {}, row.kind),
        el('td', { class: row.status === 'sent' ? 'ok' : row.status === 'failed' ? 'bad' : 'warn' }, row.status),
        el('td', {}, String(row.attempts)),
        el('td', {}, row.lastError || ''),
      ),
    ),
  );
  $('#invoices').replaceChildren(
    ...rowsOrEmpty(state.invoices, 4, (row) =>
      el(
        'tr',
        {},
        el(
          'td',
          {},
          el(
            'a',
            {
              href: '#',
              onclick: (e) => {
                e.preventDefault();
                openCheckout(row.smartyPayId);
              },
            },
            shortId(row.smartyPayId),
          ),
        ),
        el('td', {}, `${Number(row.amount)} ${row.token}`),
        el('td', {}, row.status),
        el('td', {}, row.nextCheckAt ? inMinutes(row.nextCheckAt) : '—'),
      ),
    ),
  );
}

async function poll() {
  try {
    const state = await api('GET', '/api/state');
    $('#chat-title').textContent = state.chat.title;
    $('#bot-name').textContent = state.bot;
    renderChat(state);
    renderPanel(state);
    document.body.classList.remove('offline');
  } catch {
    document.body.classList.add('offline');
  }
  setTimeout(poll, 500);
}

async function openCheckout(invoiceId) {
  view.checkoutId = invoiceId;
  $('#checkout-result').textContent = '';
  $('#checkout-amount').textContent = '…';
  $('#checkout-meta').textContent = '';
  $('#checkout').hidden = false;
  try {
    const invoice = await api('GET', `/api/checkout/${encodeURIComponent(invoiceId)}`);
    $('#checkout-title').textContent = `Invoice ${shortId(invoice.id)}`;
    $('#checkout-amount').textContent = `${invoice.amount} ${invoice.token}`;
    $('#checkout-meta').textContent =
      `Status at SMARTy Pay: ${invoice.status} · expires ${new Date(invoice.expiresAt).toLocaleString()}`;
  } catch (error) {
    $('#checkout-amount').textContent = '';
    $('#checkout-result').textContent = error.message;
  }
}

function closeCheckout() {
  view.checkoutId = null;
  $('#checkout').hidden = true;
  if (location.hash.startsWith('#checkout=')) history.replaceState(null, '', location.pathname);
}

function describeOutcome(result) {
  if (result.expiredAt) return 'The clock jumped past expiry; the bot’s re-check marks the invoice expired.';
  if (result.httpStatus === null)
    return `Paid at SMARTy Pay, but the webhook was lost. Advance the clock (+5 min) and watch the re-check.`;
  return `Webhook “${result.status}” delivered: the bot answered HTTP ${result.httpStatus}.`;
}

async function choose(action, button) {
  const id = view.checkoutId;
  if (!id) return;
  for (const b of document.querySelectorAll('.choices button')) b.disabled = true;
  try {
    const result = await api('POST', `/api/checkout/${encodeURIComponent(id)}/${action}`);
    closeCheckout();
    toast(describeOutcome(result));
  } catch (error) {
    $('#checkout-result').textContent = `Failed: ${error.message}`;
  } finally {
    for (const b of document.querySelectorAll('.choices button')) b.disabled = false;
    button.blur();
  }
}

function setUser(user) {
  view.user = user;
  $('#as-merchant').setAttribute('aria-pressed', String(user === 'merchant'));
  $('#as-customer').setAttribute('aria-pressed', String(user === 'customer'));
  view.chatKey = '';
  $('#text').focus();
}

$('#as-merchant').addEventListener('click', () => setUser('merchant'));
$('#as-customer').addEventListener('click', () => setUser('customer'));
$('#composer').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = $('#text');
  const text = input.value.trim();
  if (!text) return;
  try {
    await api('POST', '/api/messages', { user: view.user, text });
    input.value = '';
  } catch (error) {
    toast(`Not sent: ${error.message}`);
  }
});
for (const example of document.querySelectorAll('.example')) {
  example.addEventListener('click', () => {
    $('#text').value = example.textContent;
    $('#text').focus();
  });
}
for (const button of document.querySelectorAll('.choices button')) {
  button.addEventListener('click', () => choose(button.dataset.action, button));
}
for (const button of document.querySelectorAll('.advance')) {
  button.addEventListener('click', async () => {
    const result = await api('POST', '/api/clock/advance', { minutes: Number(button.dataset.minutes) });
    toast(`Bot time is now ${clockTime(result.now)}`);
  });
}
$('#checkout-close').addEventListener('click', closeCheckout);
$('#checkout').addEventListener('click', (event) => {
  if (event.target === $('#checkout')) closeCheckout();
});
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && view.checkoutId) closeCheckout();
});

const fromHash = /^#checkout=(.+)$/.exec(location.hash);
if (fromHash) openCheckout(decodeURIComponent(fromHash[1]));
poll();
