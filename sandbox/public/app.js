// The sandbox page: polls /api/state, renders the group chat and the side panel, and posts what the
// person does. Plain browser JavaScript, no build step.

// chat: the tab shown; groupUser: who types in the group (in a private chat only its owner can).
// seen: per chat, how many of its messages the person has looked at (the tabs' badges count the rest).
const view = {
  chat: 'group',
  groupUser: 'merchant',
  chatKey: '',
  panelKey: '',
  checkoutId: null,
  clockNow: null,
  lastMessageId: 0,
  seen: {},
};

const currentUser = () => (view.chat === 'group' ? view.groupUser : view.chat);

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

// Every time on the page is in UTC, the zone the bot writes its times in, whatever the browser's zone.
const clockTime = (iso) =>
  new Date(iso).toLocaleTimeString('en-GB', { timeZone: 'UTC', hour: '2-digit', minute: '2-digit', second: '2-digit' });
const shortTime = (iso) =>
  new Date(iso).toLocaleTimeString('en-GB', { timeZone: 'UTC', hour: '2-digit', minute: '2-digit' });
/** "26 Nov 2026, 08:20 UTC", as the bot writes dates. */
const dateTime = (iso) =>
  `${new Date(iso).toLocaleString('en-GB', {
    timeZone: 'UTC',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  })} UTC`;

function checkoutInvoiceId(url) {
  try {
    return new URL(url).searchParams.get('invoice-id');
  } catch {
    return null;
  }
}

/** A personal invite link (paid access's Join button): in the sandbox it asks to join its private channel. */
const isInviteLink = (url) => url.startsWith('https://t.me/+');

async function askToJoin(inviteLink) {
  try {
    await api('POST', '/api/channel/join', { user: currentUser(), inviteLink });
    toast('Asked to join the private channel; the bot answers the request.');
  } catch (error) {
    toast(`Could not ask to join: ${error.message}`);
  }
}

function keyboardButton(button, message) {
  if (typeof button.url === 'string' && isInviteLink(button.url)) {
    const inviteLink = button.url;
    return el(
      'a',
      {
        class: 'kb-button url join',
        href: inviteLink,
        onclick: (event) => {
          event.preventDefault();
          askToJoin(inviteLink);
        },
      },
      button.text,
    );
  }
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
              chat: view.chat,
              user: currentUser(),
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

function fileSize(bytes) {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KB`;
}

function documentLink(message) {
  const href = `/api/chats/${view.chat}/documents/${message.message_id}`;
  return el(
    'a',
    { class: 'document', href, download: message.document.fileName },
    el('span', { class: 'document-icon', 'aria-hidden': 'true' }, '📄'),
    el('span', { class: 'document-name' }, message.document.fileName),
    el('span', { class: 'document-size' }, fileSize(message.document.bytes)),
  );
}

function renderMessage(message, byId) {
  const mine = message.from.user === currentUser();
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
      message.document ? documentLink(message) : null,
      message.media
        ? el(
            'div',
            { class: 'document' },
            el('span', { class: 'document-icon', 'aria-hidden': 'true' }, '🖼️'),
            el('span', { class: 'document-name' }, `${message.media.kind} · ${message.media.fileId}`),
          )
        : null,
      text,
      el(
        'div',
        { class: 'meta', title: `${dateTime(message.at)}` },
        `${message.edited ? 'edited · ' : ''}${shortTime(message.at)}`,
      ),
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

const CHAT_LOOKS = {
  group: {
    avatar: '\u2615\uFE0F' /* ☕ with VS16: emoji, not the text glyph */,
    sub: (state) => `Merchant, Customer and ${state.bot}`,
  },
  merchant: { avatar: '🧑‍💼', sub: (state) => `The merchant’s private chat with ${state.bot}` },
  customer: { avatar: '🙋', sub: (state) => `The customer’s private chat with ${state.bot}` },
  shopper: {
    avatar: '🛍️',
    sub: (state) => `A second customer’s private chat with ${state.bot}: type /start <code> to open a product’s link`,
  },
};

function renderTabs(state) {
  view.seen[view.chat] = state.chats.find((chat) => chat.key === view.chat)?.count ?? 0;
  for (const chat of state.chats) {
    const tab = document.querySelector(`.tab[data-chat="${chat.key}"]`);
    if (!tab) continue;
    // A chat's messages before the page first saw it are not news.
    view.seen[chat.key] ??= chat.count;
    const unread = chat.count - view.seen[chat.key];
    const badge = tab.querySelector('.badge');
    badge.hidden = unread <= 0;
    badge.textContent = unread > 0 ? String(unread) : '';
    tab.setAttribute('aria-selected', String(chat.key === view.chat));
  }
  const looks = CHAT_LOOKS[view.chat];
  $('#chat-title').textContent = view.chat === 'group' ? state.chat.title : state.bot;
  $('#chat-sub').textContent = looks.sub(state);
  $('#avatar').textContent = looks.avatar;
  $('#as').hidden = view.chat !== 'group';
}

function renderChat(state) {
  if (state.chat.key !== view.chat) return; // an answer for the tab shown before a switch
  const key = JSON.stringify([view.chat, currentUser(), state.messages]);
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

/** "5.00000000" → "5", "0.99000000" → "0.99": trailing zeros off the database's numeric, as text (no floats). */
const decimal = (amount) => amount.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');

const shortId = (id) => `${String(id).slice(0, 8)}…`;

function rowsOrEmpty(items, columns, render) {
  if (items.length === 0) return [el('tr', {}, el('td', { class: 'empty', colspan: columns }, 'nothing yet'))];
  return items.map(render);
}

function inMinutes(iso) {
  if (!iso || !view.clockNow) return '—';
  const minutes = Math.round((new Date(iso).getTime() - new Date(view.clockNow).getTime()) / 60_000);
  return minutes <= 0 ? `due (${clockTime(iso)} UTC)` : `in ${minutes} min`;
}

function renderPanel(state) {
  view.clockNow = state.clock.now;
  $('#clock').textContent = clockTime(state.clock.now);
  const ahead = Math.round(state.clock.offsetMs / 60_000);
  $('#offset').textContent = ahead > 0 ? `(${ahead} min ahead of your clock)` : '';
  const key = JSON.stringify([
    state.channel,
    state.deliveries,
    state.outbox,
    state.invoices,
    Math.floor(Date.parse(state.clock.now) / 30_000),
  ]);
  if (key === view.panelKey) return;
  view.panelKey = key;
  renderChannel(state.channel);
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
        el('td', {}, `${decimal(row.amount)} ${row.token}`),
        el('td', {}, row.status),
        el('td', {}, row.nextCheckAt ? inMinutes(row.nextCheckAt) : '—'),
      ),
    ),
  );
}

const MEMBER_LOOKS = { member: 'ok', administrator: 'ok', creator: 'ok', kicked: 'bad', restricted: 'warn' };
const EVENT_LOOKS = { approved: 'ok', declined: 'bad', banned: 'bad', unbanned: 'warn' };

function renderChannel(channel) {
  $('#channel-title').textContent = channel.title;
  $('#channel-id').textContent = String(channel.id);
  $('#channel-members').replaceChildren(
    ...rowsOrEmpty(channel.members, 2, (m) =>
      el('tr', {}, el('td', {}, m.who), el('td', { class: MEMBER_LOOKS[m.status] || '' }, m.status)),
    ),
  );
  $('#channel-events').replaceChildren(
    ...rowsOrEmpty(channel.events.slice(0, 10), 3, (e) =>
      el(
        'tr',
        {},
        el('td', {}, clockTime(e.at)),
        el('td', {}, e.who),
        el('td', { class: EVENT_LOOKS[e.what] || '' }, e.what),
      ),
    ),
  );
}

async function poll() {
  try {
    const state = await api('GET', `/api/state?chat=${view.chat}`);
    if (state.chat.key === view.chat) renderTabs(state);
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
      `Status at SMARTy Pay: ${invoice.status} · expires ${dateTime(invoice.expiresAt)}`;
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
  view.groupUser = user;
  $('#as-merchant').setAttribute('aria-pressed', String(user === 'merchant'));
  $('#as-customer').setAttribute('aria-pressed', String(user === 'customer'));
  view.chatKey = '';
  $('#text').focus();
}

function showChat(chat) {
  if (chat === view.chat) return;
  view.chat = chat;
  view.chatKey = '';
  view.lastMessageId = 0;
  $('#messages').replaceChildren();
  for (const tab of document.querySelectorAll('.tab')) {
    tab.setAttribute('aria-selected', String(tab.dataset.chat === chat));
  }
  $('#as').hidden = chat !== 'group';
}

for (const tab of document.querySelectorAll('.tab')) {
  tab.addEventListener('click', () => showChat(tab.dataset.chat));
}

$('#as-merchant').addEventListener('click', () => setUser('merchant'));
$('#as-customer').addEventListener('click', () => setUser('customer'));
$('#composer').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = $('#text');
  const text = input.value.trim();
  if (!text) return;
  try {
    await api('POST', '/api/messages', { chat: view.chat, user: currentUser(), text });
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
    toast(`Bot time is now ${clockTime(result.now)} UTC`);
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
