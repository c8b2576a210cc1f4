import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// A fake Telegram Bot API on loopback, good enough for a real grammY `Bot` pointed at it with
// `client: { apiRoot: fake.apiRoot }`. It keeps just enough state (update queue, per-chat message
// counters, the bot's own messages) to answer the way Telegram does for the calls this project makes.

export interface RecordedCall {
  method: string;
  params: Record<string, any>;
  at: number;
}

export interface Fault {
  status: number;
  description: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}

type ChatType = 'private' | 'group' | 'supergroup';
type BotMessageView = {
  message_id: number;
  text: string;
  reply_markup?: any;
  reply_to_message_id?: number;
  edits: number;
};

export interface FakeTelegram {
  apiRoot: string;
  token: string;
  botInfo: {
    id: number;
    is_bot: true;
    first_name: string;
    username: string;
    can_join_groups: true;
    can_read_all_group_messages: false;
    supports_inline_queries: false;
    can_connect_to_business: false;
    has_main_web_app: false;
  };
  calls: RecordedCall[];
  callsOf(method: string): RecordedCall[];
  /** Queue an update for getUpdates; update_id is assigned if missing. Returns the update. */
  pushUpdate(update: Record<string, any>): Record<string, any>;
  /** Builds and queues a text message update; message_id comes from the same per-chat counter as bot messages. */
  sendText(opts: {
    chat: { id: number; type: ChatType; title?: string };
    from: { id: number; first_name?: string; username?: string; language_code?: string };
    text: string;
    replyTo?: number;
  }): { update: Record<string, any>; message: Record<string, any> };
  /** The next `times` (default 1) calls of `method` ('*' = any method except getUpdates) fail with `fault`. */
  failNext(method: string, fault: Fault, times?: number): void;
  /** Calls of `method` wait `ms` before answering (0 removes). */
  setDelay(method: string, ms: number): void;
  /** Resolves when `predicate(calls)` holds (polled every 5 ms); rejects after timeoutMs (default 5000). */
  waitFor(predicate: (calls: RecordedCall[]) => boolean, timeoutMs?: number): Promise<void>;
  /** Messages the bot has sent/edited in a chat, oldest first. */
  messages(chatId: number): BotMessageView[];
  close(): Promise<void>;
}

/** A Telegram-style failure thrown by method handlers. */
class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly description: string,
  ) {
    super(description);
  }
}

interface StoredMessage {
  message_id: number;
  date: number;
  text: string;
  reply_markup?: any;
  reply_to_message_id?: number;
  edits: number;
  edit_date?: number;
}

interface Waiter {
  wake(): void;
  /** Long polls are woken by new updates; plain delays only by close(). */
  onUpdate: boolean;
}

const NOT_MODIFIED =
  'Bad Request: message is not modified: specified new message content and reply markup are exactly the same ' +
  'as a current content and reply markup of the message';

// Parameters Telegram documents as JSON-serialized objects: form/query bodies carry them as strings.
const JSON_KEYS = new Set([
  'reply_markup',
  'reply_parameters',
  'entities',
  'allowed_updates',
  'link_preview_options',
  'commands',
  'scope',
  'menu_button',
]);
// Integer parameters that may legitimately arrive as numeric strings (forms, queries, or `chat_id: '123'`).
const INT_KEYS = new Set([
  'chat_id',
  'message_id',
  'user_id',
  'from_chat_id',
  'reply_to_message_id',
  'offset',
  'limit',
  'timeout',
]);

const nowSeconds = () => Math.floor(Date.now() / 1000);

function normaliseParams(raw: Record<string, any>): Record<string, any> {
  const params: Record<string, any> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value === 'string' && JSON_KEYS.has(key) && /^\s*[[{]/.test(value)) {
      try {
        params[key] = JSON.parse(value);
        continue;
      } catch {
        // Not JSON after all: keep the string, the handler will judge it.
      }
    }
    params[key] = typeof value === 'string' && INT_KEYS.has(key) && /^-?\d+$/.test(value) ? Number(value) : value;
  }
  return params;
}

function parseBody(contentType: string, body: string): Record<string, any> {
  if (contentType.startsWith('multipart/')) return {}; // file uploads are out of scope
  if (contentType.startsWith('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(body));
  if (body.trim() === '') return {};
  const parsed: unknown = JSON.parse(body);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('body is not an object');
  return parsed as Record<string, any>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** JSON with sorted keys, so "is this markup the same?" ignores key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** Telegram treats an empty inline keyboard as no keyboard at all. */
function normaliseMarkup(markup: unknown): any {
  if (markup === null || markup === undefined) return undefined;
  const rows = (markup as { inline_keyboard?: unknown[][] }).inline_keyboard;
  if (Array.isArray(rows) && rows.every((row) => Array.isArray(row) && row.length === 0)) return undefined;
  return markup;
}

function toChatId(value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  throw new ApiError(400, 'Bad Request: chat not found');
}

/** "getMe, getUpdates×3, sendMessage": readable summary for timeout messages. */
function summarise(calls: RecordedCall[]): string {
  const parts: string[] = [];
  let last = '';
  let count = 0;
  for (const { method } of [...calls, { method: '' }]) {
    if (method === last) {
      count++;
      continue;
    }
    if (last) parts.push(count > 1 ? `${last}×${count}` : last);
    last = method;
    count = 1;
  }
  return parts.join(', ') || '(none)';
}

export async function startFakeTelegram(
  opts: { token?: string; port?: number; maxLongPollMs?: number } = {},
): Promise<FakeTelegram> {
  const token = opts.token ?? '1234567890:AAFakeTelegramTestToken';
  const maxLongPollMs = opts.maxLongPollMs ?? 1000;
  const botId = Number(token.split(':')[0]) || 1234567890;
  const botInfo: FakeTelegram['botInfo'] = {
    id: botId,
    is_bot: true,
    first_name: 'Test Bot',
    username: 'test_bot',
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
    can_connect_to_business: false,
    has_main_web_app: false,
  };
  const botUser = { id: botInfo.id, is_bot: true, first_name: botInfo.first_name, username: botInfo.username };

  const calls: RecordedCall[] = [];
  const faults: Array<{ method: string; fault: Fault; remaining: number }> = [];
  const delays = new Map<string, number>();
  let pending: Record<string, any>[] = [];
  let nextUpdateId = 1;
  const nextMessageId = new Map<number, number>();
  const chats = new Map<number, Record<string, any>>();
  const botMessages = new Map<number, StoredMessage[]>();
  const waiters = new Set<Waiter>();
  const inflight = new Set<Promise<void>>();
  let closed = false;

  const allocateMessageId = (chatId: number): number => {
    const id = nextMessageId.get(chatId) ?? 1000;
    nextMessageId.set(chatId, id + 1);
    return id;
  };
  const chatFor = (id: number) => chats.get(id) ?? { id, type: id < 0 ? 'supergroup' : 'private' };

  /** Sleeps up to `ms`; close() always wakes it early, new updates / client disconnects only if asked. */
  const pause = (ms: number, onUpdate: boolean, res?: ServerResponse): Promise<void> => {
    if (closed || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter: Waiter = {
        onUpdate,
        wake: () => {
          clearTimeout(timer);
          waiters.delete(waiter);
          res?.off('close', waiter.wake);
          resolve();
        },
      };
      const timer = setTimeout(waiter.wake, ms);
      res?.on('close', waiter.wake);
      waiters.add(waiter);
    });
  };

  const botMessageJson = (chatId: number, m: StoredMessage): Record<string, any> => ({
    message_id: m.message_id,
    date: m.date,
    ...(m.edit_date !== undefined && { edit_date: m.edit_date }),
    chat: chatFor(chatId),
    from: botUser,
    text: m.text,
    ...(m.reply_markup !== undefined && { reply_markup: m.reply_markup }),
    ...(m.reply_to_message_id !== undefined && {
      reply_to_message: { message_id: m.reply_to_message_id, date: m.date, chat: chatFor(chatId) },
    }),
  });

  const findBotMessage = (p: Record<string, any>): { chatId: number; message: StoredMessage } => {
    const chatId = toChatId(p.chat_id);
    const message = botMessages.get(chatId)?.find((m) => m.message_id === p.message_id);
    if (!message) throw new ApiError(400, 'Bad Request: message to edit not found');
    return { chatId, message };
  };

  /** Shared by editMessageText and editMessageReplyMarkup. */
  const edit = (p: Record<string, any>, text: (current: string) => string) => {
    if (p.inline_message_id !== undefined) return true; // inline messages are not tracked
    const { chatId, message } = findBotMessage(p);
    const newText = text(message.text);
    if (!newText) throw new ApiError(400, 'Bad Request: text must be non-empty');
    const markup = normaliseMarkup(p.reply_markup);
    if (newText === message.text && canonical(markup) === canonical(message.reply_markup)) {
      throw new ApiError(400, NOT_MODIFIED);
    }
    message.text = newText;
    message.reply_markup = markup; // an edit without reply_markup removes the keyboard, as in Telegram
    message.edits++;
    message.edit_date = nowSeconds();
    return botMessageJson(chatId, message);
  };

  const handlers: Record<string, (p: Record<string, any>, res: ServerResponse) => unknown> = {
    getMe: () => botInfo,
    deleteWebhook: () => true,
    setWebhook: () => true,
    setMyCommands: () => true,
    deleteMyCommands: () => true,
    answerCallbackQuery: () => true,
    setChatMenuButton: () => true,
    getChat: (p) => chatFor(toChatId(p.chat_id)),
    getChatAdministrators: (p) => {
      toChatId(p.chat_id);
      return [];
    },
    getUpdates: async (p, res) => {
      // Confirming by offset forgets older updates for good, as Telegram does.
      if (typeof p.offset === 'number') pending = pending.filter((u) => u.update_id >= p.offset);
      const limit = Math.min(100, Math.max(1, typeof p.limit === 'number' ? p.limit : 100));
      const timeoutMs = Math.min((typeof p.timeout === 'number' ? p.timeout : 0) * 1000, maxLongPollMs);
      const deadline = Date.now() + timeoutMs;
      let gone = false;
      res.once('close', () => {
        gone = true;
      });
      while (pending.length === 0 && !closed && !gone && Date.now() < deadline) {
        await pause(deadline - Date.now(), true, res);
      }
      return pending.slice(0, limit);
    },
    sendMessage: (p) => {
      const chatId = toChatId(p.chat_id);
      if (typeof p.text !== 'string' || p.text === '') throw new ApiError(400, 'Bad Request: message text is empty');
      const replyTo = p.reply_parameters?.message_id ?? p.reply_to_message_id;
      const message: StoredMessage = {
        message_id: allocateMessageId(chatId),
        date: nowSeconds(),
        text: p.text,
        reply_markup: normaliseMarkup(p.reply_markup),
        reply_to_message_id: typeof replyTo === 'number' ? replyTo : undefined,
        edits: 0,
      };
      botMessages.set(chatId, [...(botMessages.get(chatId) ?? []), message]);
      return botMessageJson(chatId, message);
    },
    editMessageText: (p) => edit(p, () => (typeof p.text === 'string' ? p.text : '')),
    editMessageReplyMarkup: (p) => edit(p, (current) => current),
  };

  const reply = (res: ServerResponse, status: number, body: unknown): Promise<void> =>
    new Promise((resolve) => {
      if (res.writableEnded || res.destroyed) return resolve();
      const json = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
      res.end(json, () => resolve());
    });
  const failure = (res: ServerResponse, status: number, description: string, parameters?: Fault['parameters']) =>
    reply(res, status, { ok: false, error_code: status, description, ...(parameters && { parameters }) });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const at = Date.now();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const body = await readBody(req);
    const match = /^\/bot([^/]+)\/([A-Za-z0-9_]+)$/.exec(url.pathname);
    if (!match) return failure(res, 404, 'Not Found');
    if (decodeURIComponent(match[1] ?? '') !== token) return failure(res, 401, 'Unauthorized');
    const method = match[2] ?? '';

    let params: Record<string, any>;
    try {
      const fromBody = parseBody(req.headers['content-type'] ?? '', body);
      params = normaliseParams({ ...Object.fromEntries(url.searchParams), ...fromBody });
    } catch {
      return failure(res, 400, "Bad Request: can't parse request body");
    }
    calls.push({ method, params, at });

    // The fault is claimed on arrival, so concurrent calls consume faults in arrival order even when delayed.
    const slot = faults.find((f) => f.method === method || (f.method === '*' && method !== 'getUpdates'));
    if (slot && --slot.remaining === 0) faults.splice(faults.indexOf(slot), 1);
    await pause(delays.get(method) ?? 0, false);
    if (slot) return failure(res, slot.fault.status, slot.fault.description, slot.fault.parameters);

    const handler = handlers[method];
    if (!handler) return failure(res, 404, 'Not Found: method not found');
    try {
      return reply(res, 200, { ok: true, result: await handler(params, res) });
    } catch (error) {
      if (error instanceof ApiError) return failure(res, error.status, error.description);
      return failure(res, 500, `Internal Server Error: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  const server = createServer((req, res) => {
    const done = handle(req, res).catch(() => {
      if (!res.headersSent) res.destroy();
    });
    inflight.add(done);
    void done.finally(() => inflight.delete(done));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  const pushUpdate = (update: Record<string, any>): Record<string, any> => {
    const full = typeof update.update_id === 'number' ? update : { update_id: nextUpdateId, ...update };
    nextUpdateId = Math.max(nextUpdateId, full.update_id + 1);
    pending.push(full);
    for (const waiter of [...waiters]) if (waiter.onUpdate) waiter.wake();
    return full;
  };

  return {
    apiRoot: `http://127.0.0.1:${port}`,
    token,
    botInfo,
    calls,
    callsOf: (method) => calls.filter((c) => c.method === method),
    pushUpdate,
    sendText: ({ chat, from, text, replyTo }) => {
      const chatJson: Record<string, any> = { id: chat.id, type: chat.type };
      if (chat.type === 'private') {
        chatJson.first_name = from.first_name ?? 'User';
        if (from.username) chatJson.username = from.username;
      } else {
        chatJson.title = chat.title ?? 'Test chat';
      }
      chats.set(chat.id, chatJson);
      const date = nowSeconds();
      const command = /^\/\S+/.exec(text)?.[0];
      const message: Record<string, any> = {
        message_id: allocateMessageId(chat.id),
        date,
        chat: chatJson,
        from: {
          id: from.id,
          is_bot: false,
          first_name: from.first_name ?? 'User',
          ...(from.username && { username: from.username }),
          ...(from.language_code && { language_code: from.language_code }),
        },
        text,
        ...(command && { entities: [{ type: 'bot_command', offset: 0, length: command.length }] }),
        ...(replyTo !== undefined && { reply_to_message: { message_id: replyTo, date, chat: chatJson } }),
      };
      return { update: pushUpdate({ message }), message };
    },
    failNext: (method, fault, times = 1) => {
      if (times > 0) faults.push({ method, fault, remaining: times });
    },
    setDelay: (method, ms) => {
      if (ms > 0) delays.set(method, ms);
      else delays.delete(method);
    },
    waitFor: (predicate, timeoutMs = 5000) =>
      new Promise((resolve, reject) => {
        const started = Date.now();
        const tick = () => {
          try {
            if (predicate(calls)) return resolve();
          } catch (error) {
            return reject(error);
          }
          if (Date.now() - started >= timeoutMs) {
            return reject(new Error(`waitFor timed out after ${timeoutMs} ms; calls so far: ${summarise(calls)}`));
          }
          setTimeout(tick, 5);
        };
        tick();
      }),
    messages: (chatId) =>
      (botMessages.get(chatId) ?? []).map((m) => ({
        message_id: m.message_id,
        text: m.text,
        ...(m.reply_markup !== undefined && { reply_markup: m.reply_markup }),
        ...(m.reply_to_message_id !== undefined && { reply_to_message_id: m.reply_to_message_id }),
        edits: m.edits,
      })),
    close: async () => {
      if (closed) return;
      closed = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      // Wake long polls and delays so they answer now, give the answers a moment to flush, then cut every socket
      // (grammY keeps connections alive, which would otherwise hold the server open).
      for (const waiter of [...waiters]) waiter.wake();
      await Promise.race([Promise.allSettled([...inflight]), new Promise((r) => setTimeout(r, 500))]);
      server.closeAllConnections();
      await stopped;
    },
  };
}
