import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFakeMembers, type FakeMembersApi, MembersError } from './fake-telegram-members.js';

export type { AdminRights, FakeChat, FakeInviteLink, FakeJoinRequest, MemberStatus } from './fake-telegram-members.js';

// A fake Telegram Bot API on loopback, good enough for a real grammY `Bot` pointed at it with
// `client: { apiRoot: fake.apiRoot }`. It keeps just enough state (update queue, per-chat message
// counters, the bot's own messages, deleted message ids) to answer the way Telegram does for the calls this project
// makes, and can enforce Telegram-style flood limits (setRateLimits).

export interface RecordedCall {
  method: string;
  params: Record<string, any>;
  /** Date.now() when the request arrived. */
  at: number;
  /** performance.now() when the request arrived: sub-millisecond, for timing within this process (bench p6). */
  arrivedMs: number;
  /** The HTTP status answered; absent while the call is pending and for aborted calls. */
  status?: number;
  /** Date.now() when the response was written. */
  answeredAt?: number;
  /**
   * The client went away (request aborted, process killed) before the call was answered. A call aborted before it
   * was processed (e.g. during a setDelay pause) had no effect at all. Absent for calls that completed normally.
   */
  aborted?: boolean;
}

/** Telegram-style flood limits; each is a positive integer, an omitted one is not enforced. */
export interface RateLimits {
  /** Accepted chat-targeted calls across all chats in any 1000 ms. */
  globalPerSecond?: number;
  /** Accepted chat-targeted calls into one chat in any 1000 ms. */
  perChatPerSecond?: number;
  /** Accepted chat-targeted calls into one group (chat id < 0) in any 60 000 ms. */
  perGroupPerMinute?: number;
  /** Only these methods are limited and counted (default: every chat-targeted send, edits included). */
  methods?: string[];
}

export interface SentMessage {
  chatId: number;
  message_id: number;
  /** The text as sent (later edits are not reflected here; see messages()). */
  text: string;
  /** Date.now() when the call was accepted (on arrival, after fault and rate-limit checks). */
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
  /** Set when it was sent with entities instead of a parse mode (a shop delivery's copy): `text` is plain. */
  entities?: unknown[];
  reply_markup?: any;
  reply_to_message_id?: number;
  edits: number;
  /** Present (true) once the message was deleted, by deleteMessage(s) or the test-side deleteMessage helper. */
  deleted?: true;
};

/** Membership (fake-telegram-members.ts): chats, members and rights, invite links, join requests, bans. */
export interface FakeTelegram extends FakeMembersApi {
  apiRoot: string;
  token: string;
  botInfo: {
    id: number;
    is_bot: true;
    first_name: string;
    username: string;
    can_join_groups: true;
    can_read_all_group_messages: false;
    supports_inline_queries: true;
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
    from: { id: number; first_name?: string; last_name?: string; username?: string; language_code?: string };
    text: string;
    replyTo?: number;
  }): { update: Record<string, any>; message: Record<string, any> };
  /** The next `times` (default 1) calls of `method` ('*' = any method except getUpdates) fail with `fault`. */
  failNext(method: string, fault: Fault, times?: number): void;
  /** Forgets every fault not yet used (so one failed test cannot leak faults into the next). */
  clearFaults(): void;
  /** Calls of `method` wait `ms` before answering (0 removes). */
  setDelay(method: string, ms: number): void;
  /** Resolves when `predicate(calls)` holds (polled every 5 ms); rejects after timeoutMs (default 5000). */
  waitFor(predicate: (calls: RecordedCall[]) => boolean, timeoutMs?: number): Promise<void>;
  /** Messages the bot has sent/edited in a chat, oldest first; deleted ones stay listed with `deleted: true`. */
  messages(chatId: number): BotMessageView[];
  /** Every message the bot successfully created via sendMessage, in creation order, across all chats. */
  sentMessages(): SentMessage[];
  /**
   * Deletes a message as a user or admin would (no call recorded). Works for any id, including ones allocated by
   * sendText: replying to it, editing it or deleting it again then fails the way Telegram does.
   */
  deleteMessage(chatId: number, messageId: number): void;
  /**
   * Enforces flood limits (null lifts them and forgets the history) on every chat-targeted call: any method with a
   * top-level chat_id except getters, getUpdates/getMe, webhook/command/menu setup and answerCallbackQuery.
   * Checked on arrival, after failNext faults: a call over a limit is answered 429 `retry after N` (N = whole seconds
   * until the oldest call of the violated window leaves it, at least 1) and has no effect. Only accepted calls (made
   * while limits are set, not aborted) count toward the sliding windows.
   */
  setRateLimits(limits: RateLimits | null): void;
  /** How many 429s the rate-limit enforcement has answered (failNext faults not included). */
  rateLimited(): number;
  /** The users getChatAdministrators lists for a chat (default: nobody). Counts calls in `calls` as usual. */
  setAdmins(chatId: number, userIds: number[]): void;
  /** The chat menu button setChatMenuButton left for a private chat (else the default one; `{ type: 'default' }`). */
  menuButton(chatId: number): Record<string, any>;
  /**
   * A user taps a callback button: queues a callback_query update for a bot message in a chat (`chatId` +
   * `messageId`) or for an inline message (`inlineMessageId`). Returns the callback query id.
   */
  pressButton(opts: {
    from: FakeUser;
    data: string;
    chatId?: number;
    messageId?: number;
    inlineMessageId?: string;
  }): string;
  /** What the bot answered to a callback query (answerCallbackQuery parameters), once it did. */
  callbackAnswer(queryId: string): Record<string, any> | undefined;
  /** pressButton, then waits (bounded, as waitFor) for the bot's answer and returns it. */
  tapButton(opts: Parameters<FakeTelegram['pressButton']>[0], timeoutMs?: number): Promise<Record<string, any>>;
  /** A user types `@bot <query>` in any chat: queues an inline_query update. Returns its id. */
  inlineQuery(opts: { from: FakeUser; query: string }): string;
  /** The results the bot answered to an inline query (answerInlineQuery `results`), once it did. */
  inlineResults(queryId: string): any[] | undefined;
  /**
   * The user picks one of the answered results: it is posted as an inline message (tracked by inline_message_id,
   * which Telegram only assigns when the result has an inline keyboard) and, unless `feedback` is false (BotFather's
   * inline feedback off, Telegram's default), a chosen_inline_result update is queued. Returns the inline_message_id.
   */
  chooseInlineResult(opts: { queryId: string; index?: number; feedback?: boolean }): string;
  /** An inline message as it is now (after edits). */
  inlineMessage(inlineMessageId: string): InlineMessageView | undefined;
  /** Documents the bot sent with sendDocument, in order, with their content. */
  documents(): SentDocument[];
  /**
   * Files the bot sent again by file id (sendPhoto, sendDocument, sendVideo, sendAudio, sendVoice with a string
   * file id), in order, with caption and caption entities as sent.
   */
  media(): SentMedia[];
  close(): Promise<void>;
}

export interface FakeUser {
  id: number;
  first_name?: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

export interface InlineMessageView {
  text: string;
  reply_markup?: any;
  edits: number;
}

export interface SentDocument {
  chatId: number;
  message_id: number;
  fileName: string;
  content: Buffer;
  caption?: string;
  /** Date.now() when the call was accepted, as SentMessage.at. */
  at: number;
}

export interface SentMedia {
  method: 'sendPhoto' | 'sendDocument' | 'sendVideo' | 'sendAudio' | 'sendVoice';
  chatId: number;
  message_id: number;
  fileId: string;
  caption?: string;
  captionEntities?: unknown[];
  replyTo?: number;
  at: number;
}

/** The field each media method takes its file in, and the message field Telegram answers it under. */
const MEDIA_FIELDS = {
  sendPhoto: 'photo',
  sendDocument: 'document',
  sendVideo: 'video',
  sendAudio: 'audio',
  sendVoice: 'voice',
} as const satisfies Record<SentMedia['method'], string>;

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
  entities?: unknown[];
  reply_markup?: any;
  reply_to_message_id?: number;
  edits: number;
  edit_date?: number;
}

/** What a method handler knows about the call it serves. */
interface CallContext {
  res: ServerResponse;
  call: RecordedCall;
  /** Date.now() when the call passed its arrival checks. */
  acceptedAt: number;
}

/** A chat-targeted call counted toward the rate-limit windows. */
interface AcceptedCall {
  at: number;
  chat: unknown;
}

interface Waiter {
  wake(): void;
  /** Long polls are woken by new updates; plain delays only by close(). */
  onUpdate: boolean;
}

const TO_EDIT_NOT_FOUND = 'Bad Request: message to edit not found';
const TO_DELETE_NOT_FOUND = 'Bad Request: message to delete not found';
const TO_REPLY_NOT_FOUND = 'Bad Request: message to be replied not found';

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
  'message_ids',
  'caption_entities',
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

// Methods that carry a chat_id yet are not sends, so flood limits never apply to them (nor to any get* method).
const RATE_EXEMPT = new Set([
  'getUpdates',
  'getMe',
  'setMyCommands',
  'deleteMyCommands',
  'deleteWebhook',
  'setWebhook',
  'answerCallbackQuery',
  'setChatMenuButton',
]);

const nowSeconds = () => Math.floor(Date.now() / 1000);
const isTrue = (value: unknown) => value === true || value === 'true';

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

/**
 * The text fields of a multipart body (chat_id, caption, ...): file uploads are out of scope, but their other
 * parameters still matter, e.g. for rate limits. Lenient like Telegram (grammY writes `name:value` headers and
 * unquoted filenames, which stricter parsers such as undici's refuse).
 */
function multipartFields(contentType: string, raw: Buffer): Record<string, any> {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const delimiter = boundary?.[1] ?? boundary?.[2];
  if (!delimiter) return {};
  const fields: Record<string, any> = {};
  // latin1 maps bytes 1:1, so binary file parts survive the split; text values are decoded as UTF-8 afterwards.
  for (const part of raw.toString('latin1').split(`--${delimiter}`).slice(1)) {
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd < 0) continue;
    const disposition = /^content-disposition:([^\r\n]*)$/im.exec(part.slice(0, headerEnd))?.[1] ?? '';
    const name = /\bname="?([^";]+)"?/i.exec(disposition)?.[1];
    if (!name) continue;
    const value = part.slice(headerEnd + 4).replace(/\r\n$/, '');
    const key = Buffer.from(name, 'latin1').toString('utf8');
    const filename = /\bfilename="?([^";]+)"?/i.exec(disposition)?.[1];
    // A file part (grammY's InputFile, referenced as attach://<name>) keeps its bytes.
    fields[key] =
      filename === undefined
        ? Buffer.from(value, 'latin1').toString('utf8')
        : { filename: Buffer.from(filename, 'latin1').toString('utf8'), data: Buffer.from(value, 'latin1') };
  }
  return fields;
}

function parseBody(contentType: string, raw: Buffer): Record<string, any> {
  if (contentType.startsWith('multipart/')) return multipartFields(contentType, raw);
  const body = raw.toString('utf8');
  if (contentType.startsWith('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(body));
  if (body.trim() === '') return {};
  const parsed: unknown = JSON.parse(body);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('body is not an object');
  return parsed as Record<string, any>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
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
/** Telegram refuses a button whose callback_data is empty or over 64 bytes. */
function checkButtons(markup: unknown): void {
  const rows = (markup as { inline_keyboard?: unknown } | null | undefined)?.inline_keyboard;
  if (!Array.isArray(rows)) return;
  for (const button of rows.flat() as Array<{ callback_data?: unknown }>) {
    const data = button?.callback_data;
    if (data === undefined) continue;
    const bytes = typeof data === 'string' ? Buffer.byteLength(data) : 0;
    if (bytes < 1 || bytes > 64) throw new ApiError(400, 'Bad Request: BUTTON_DATA_INVALID');
  }
}

function normaliseMarkup(markup: unknown): any {
  if (markup === null || markup === undefined) return undefined;
  checkButtons(markup);
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
    supports_inline_queries: true,
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
  const sent: SentMessage[] = [];
  // Ids known to exist per chat (allocated here or pushed in updates), and the deleted ones.
  const knownIds = new Map<number, Set<number>>();
  const deletedIds = new Map<number, Set<number>>();
  let rateLimits: RateLimits | null = null;
  let acceptedCalls: AcceptedCall[] = [];
  let rateLimitedCount = 0;
  const admins = new Map<number, number[]>();
  const menuButtons = new Map<number, Record<string, any>>();
  let defaultMenuButton: Record<string, any> = { type: 'default' };
  const callbackAnswers = new Map<string, Record<string, any>>();
  const inlineAnswers = new Map<string, { from: FakeUser; query: string; results?: any[] }>();
  const inlineMessages = new Map<string, InlineMessageView>();
  const documents: SentDocument[] = [];
  const media: SentMedia[] = [];
  /** What people sent through sendText, by chat and message id: a reply carries the message it replies to. */
  const userMessages = new Map<string, Record<string, any>>();
  let nextQueryId = 1;
  const waiters = new Set<Waiter>();
  const inflight = new Set<Promise<void>>();
  let closed = false;

  const addId = (map: Map<number, Set<number>>, chatId: number, id: number) => {
    const ids = map.get(chatId) ?? new Set<number>();
    ids.add(id);
    map.set(chatId, ids);
  };
  const isDeleted = (chatId: number, id: number) => deletedIds.get(chatId)?.has(id) ?? false;
  const allocateMessageId = (chatId: number): number => {
    const id = nextMessageId.get(chatId) ?? 1000;
    nextMessageId.set(chatId, id + 1);
    addId(knownIds, chatId, id);
    return id;
  };
  const userJson = (from: FakeUser) => ({
    id: from.id,
    is_bot: false,
    first_name: from.first_name ?? 'User',
    ...(from.last_name && { last_name: from.last_name }),
    ...(from.username && { username: from.username }),
    ...(from.language_code && { language_code: from.language_code }),
  });
  // pushUpdate is defined once the server listens; the members only call it later, from a test.
  const membership = createFakeMembers({
    botId,
    nowSeconds,
    pushUpdate: (update) => pushUpdate(update),
    userJson,
  });
  const chatFor = (id: number) =>
    chats.get(id) ?? membership.chatJson(id) ?? { id, type: id < 0 ? 'supergroup' : 'private' };

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
    if (!message || isDeleted(chatId, message.message_id)) throw new ApiError(400, TO_EDIT_NOT_FOUND);
    return { chatId, message };
  };

  /** Shared by editMessageText and editMessageReplyMarkup. */
  const edit = (p: Record<string, any>, text: (current: string) => string) => {
    if (p.inline_message_id !== undefined) {
      const inline = inlineMessages.get(String(p.inline_message_id));
      if (!inline) throw new ApiError(400, TO_EDIT_NOT_FOUND);
      const newText = text(inline.text);
      const markup = normaliseMarkup(p.reply_markup);
      if (newText === inline.text && canonical(markup) === canonical(inline.reply_markup)) {
        throw new ApiError(400, NOT_MODIFIED);
      }
      inline.text = newText;
      inline.reply_markup = markup;
      inline.edits++;
      return true; // Telegram answers True, not a Message, for inline messages
    }
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

  /** Deletes via the Bot API: only messages that exist and are not deleted yet. */
  const deleteExisting = (chatId: number, id: unknown): boolean => {
    if (typeof id !== 'number' || !knownIds.get(chatId)?.has(id) || isDeleted(chatId, id)) return false;
    addId(deletedIds, chatId, id);
    return true;
  };

  /** Arrival check against the flood limits: records and accepts the call, or says how long to wait. */
  const admit = (
    method: string,
    p: Record<string, any>,
    now: number,
  ): { entry?: AcceptedCall; retryAfter?: number } => {
    const chat = p.chat_id;
    if (!rateLimits || chat === undefined || chat === '' || RATE_EXEMPT.has(method) || method.startsWith('get')) {
      return {};
    }
    if (rateLimits.methods && !rateLimits.methods.includes(method)) return {};
    acceptedCalls = acceptedCalls.filter((e) => e.at > now - 60_000);
    const lastSecond = acceptedCalls.filter((e) => e.at > now - 1000);
    const windows: Array<[limit: number | undefined, entries: AcceptedCall[], windowMs: number]> = [
      [rateLimits.globalPerSecond, lastSecond, 1000],
      [rateLimits.perChatPerSecond, lastSecond.filter((e) => e.chat === chat), 1000],
      [
        typeof chat === 'number' && chat < 0 ? rateLimits.perGroupPerMinute : undefined,
        acceptedCalls.filter((e) => e.chat === chat),
        60_000,
      ],
    ];
    let retryAfter = 0;
    for (const [limit, entries, windowMs] of windows) {
      if (limit === undefined || entries.length < limit) continue;
      // Once this one leaves the window, limit - 1 calls remain in it and the next one fits.
      const leaving = entries[entries.length - limit] as AcceptedCall;
      retryAfter = Math.max(retryAfter, Math.ceil((leaving.at + windowMs - now) / 1000), 1);
    }
    if (retryAfter > 0) return { retryAfter };
    const entry = { at: now, chat };
    acceptedCalls.push(entry);
    return { entry };
  };

  /** A file sent again by its file id (what a shop delivery does); an empty id is refused as Telegram does. */
  const sendByFileId = (method: SentMedia['method'], p: Record<string, any>, acceptedAt: number) => {
    const chatId = toChatId(p.chat_id);
    const field = MEDIA_FIELDS[method];
    const fileId = p[field];
    if (typeof fileId !== 'string' || fileId === '') {
      throw new ApiError(400, 'Bad Request: wrong file identifier/HTTP URL specified');
    }
    if (p.caption_entities !== undefined && !Array.isArray(p.caption_entities)) {
      throw new ApiError(400, "Bad Request: can't parse entities");
    }
    const replyTo = typeof p.reply_parameters === 'object' ? p.reply_parameters.message_id : undefined;
    const message_id = allocateMessageId(chatId);
    media.push({
      method,
      chatId,
      message_id,
      fileId,
      ...(typeof p.caption === 'string' && { caption: p.caption }),
      ...(p.caption_entities !== undefined && { captionEntities: p.caption_entities }),
      ...(typeof replyTo === 'number' && { replyTo }),
      at: acceptedAt,
    });
    return {
      message_id,
      date: nowSeconds(),
      chat: chatFor(chatId),
      from: botUser,
      [field]:
        field === 'photo'
          ? [{ file_id: fileId, file_unique_id: `u${message_id}`, width: 1, height: 1 }]
          : { file_id: fileId, file_unique_id: `u${message_id}` },
      ...(typeof p.caption === 'string' && { caption: p.caption }),
    };
  };

  const handlers: Record<string, (p: Record<string, any>, ctx: CallContext) => unknown> = {
    ...membership.handlers,
    getMe: () => botInfo,
    deleteWebhook: () => true,
    setWebhook: () => true,
    setMyCommands: () => true,
    deleteMyCommands: () => true,
    answerCallbackQuery: (p) => {
      const id = String(p.callback_query_id ?? '');
      if (callbackAnswers.has(id))
        throw new ApiError(400, 'Bad Request: query is too old and response timeout expired or query ID is invalid');
      callbackAnswers.set(id, p);
      return true;
    },
    answerInlineQuery: (p) => {
      const query = inlineAnswers.get(String(p.inline_query_id ?? ''));
      if (!query || query.results)
        throw new ApiError(400, 'Bad Request: query is too old and response timeout expired or query ID is invalid');
      if (!Array.isArray(p.results)) throw new ApiError(400, 'Bad Request: results must be an array');
      for (const result of p.results) checkButtons(result?.reply_markup);
      query.results = p.results;
      return true;
    },
    sendPhoto: (p, { acceptedAt }) => sendByFileId('sendPhoto', p, acceptedAt),
    sendVideo: (p, { acceptedAt }) => sendByFileId('sendVideo', p, acceptedAt),
    sendAudio: (p, { acceptedAt }) => sendByFileId('sendAudio', p, acceptedAt),
    sendVoice: (p, { acceptedAt }) => sendByFileId('sendVoice', p, acceptedAt),
    sendDocument: (p, { acceptedAt }) => {
      if (typeof p.document === 'string' && !p.document.startsWith('attach://')) {
        return sendByFileId('sendDocument', p, acceptedAt);
      }
      const chatId = toChatId(p.chat_id);
      const ref = typeof p.document === 'string' ? /^attach:\/\/(.+)$/.exec(p.document)?.[1] : undefined;
      const file = ref ? p[ref] : p.document;
      if (!file || typeof file !== 'object' || !Buffer.isBuffer(file.data)) {
        throw new ApiError(400, 'Bad Request: wrong file identifier/HTTP URL specified');
      }
      const message_id = allocateMessageId(chatId);
      documents.push({
        chatId,
        message_id,
        fileName: String(file.filename),
        content: file.data,
        ...(typeof p.caption === 'string' && { caption: p.caption }),
        at: acceptedAt,
      });
      return {
        message_id,
        date: nowSeconds(),
        chat: chatFor(chatId),
        from: botUser,
        document: { file_id: `doc-${message_id}`, file_unique_id: `u${message_id}`, file_name: String(file.filename) },
        ...(typeof p.caption === 'string' && { caption: p.caption }),
      };
    },
    setChatMenuButton: (p) => {
      const button = p.menu_button ?? { type: 'default' };
      if (!['default', 'commands', 'web_app'].includes(button?.type))
        throw new ApiError(400, 'Bad Request: BUTTON_TYPE_INVALID');
      if (button.type === 'web_app') {
        // Telegram opens a Mini App only from an https URL, and the button needs a text.
        if (typeof button.text !== 'string' || button.text === '')
          throw new ApiError(400, 'Bad Request: BUTTON_TEXT_INVALID');
        if (typeof button.web_app?.url !== 'string' || !button.web_app.url.startsWith('https://')) {
          throw new ApiError(400, 'Bad Request: BUTTON_URL_INVALID');
        }
      }
      if (p.chat_id === undefined) defaultMenuButton = button;
      else menuButtons.set(toChatId(p.chat_id), button);
      return true;
    },
    getChatMenuButton: (p) =>
      p.chat_id === undefined ? defaultMenuButton : (menuButtons.get(toChatId(p.chat_id)) ?? defaultMenuButton),
    getChat: (p) =>
      typeof p.chat_id === 'string' && p.chat_id.startsWith('@')
        ? membership.handlers.getChat?.(p)
        : chatFor(toChatId(p.chat_id)),
    getChatAdministrators: (p) =>
      (admins.get(toChatId(p.chat_id)) ?? []).map((id) => ({
        status: 'administrator',
        user: { id, is_bot: false, first_name: `Admin ${id}` },
      })),
    getUpdates: async (p, { res }) => {
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
    sendMessage: (p, { acceptedAt }) => {
      const chatId = toChatId(p.chat_id);
      if (typeof p.text !== 'string' || p.text === '') throw new ApiError(400, 'Bad Request: message text is empty');
      const replyParameters = typeof p.reply_parameters === 'object' ? p.reply_parameters : undefined;
      const replyTo = replyParameters?.message_id ?? p.reply_to_message_id;
      let replyToId = typeof replyTo === 'number' ? replyTo : undefined;
      if (replyToId !== undefined && isDeleted(chatId, replyToId)) {
        const allow = isTrue(replyParameters?.allow_sending_without_reply) || isTrue(p.allow_sending_without_reply);
        if (!allow) throw new ApiError(400, TO_REPLY_NOT_FOUND);
        replyToId = undefined;
      }
      const message: StoredMessage = {
        message_id: allocateMessageId(chatId),
        date: nowSeconds(),
        text: p.text,
        ...(Array.isArray(p.entities) && { entities: p.entities }),
        reply_markup: normaliseMarkup(p.reply_markup),
        reply_to_message_id: replyToId,
        edits: 0,
      };
      botMessages.set(chatId, [...(botMessages.get(chatId) ?? []), message]);
      sent.push({ chatId, message_id: message.message_id, text: message.text, at: acceptedAt });
      return botMessageJson(chatId, message);
    },
    editMessageText: (p) => edit(p, () => (typeof p.text === 'string' ? p.text : '')),
    editMessageReplyMarkup: (p) => edit(p, (current) => current),
    deleteMessage: (p) => {
      if (!deleteExisting(toChatId(p.chat_id), p.message_id)) throw new ApiError(400, TO_DELETE_NOT_FOUND);
      return true;
    },
    // As in Telegram, ids that can't be found are skipped.
    deleteMessages: (p) => {
      const chatId = toChatId(p.chat_id);
      const ids: unknown = p.message_ids;
      if (!Array.isArray(ids) || ids.length === 0 || ids.length > 100) {
        throw new ApiError(400, 'Bad Request: message identifiers are not specified');
      }
      for (const id of ids) deleteExisting(chatId, id);
      return true;
    },
  };

  /** Writes a JSON response; false if the client is already gone. */
  const reply = (res: ServerResponse, status: number, body: unknown): Promise<boolean> =>
    new Promise((resolve) => {
      if (res.writableEnded || res.destroyed) return resolve(false);
      const json = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
      res.end(json, () => resolve(true));
    });
  const failureBody = (status: number, description: string, parameters?: Fault['parameters']) => ({
    ok: false,
    error_code: status,
    description,
    ...(parameters && { parameters }),
  });
  const failure = (res: ServerResponse, status: number, description: string, parameters?: Fault['parameters']) =>
    reply(res, status, failureBody(status, description, parameters));

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const at = Date.now();
    const arrivedMs = performance.now();
    let answering = false;
    let gone = false;
    res.once('close', () => {
      if (!answering) gone = true;
    });
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const body = await readBody(req);
    const match = /^\/bot([^/]+)\/([A-Za-z0-9_]+)$/.exec(url.pathname);
    if (!match) return void (await failure(res, 404, 'Not Found'));
    if (decodeURIComponent(match[1] ?? '') !== token) return void (await failure(res, 401, 'Unauthorized'));
    const method = match[2] ?? '';

    let params: Record<string, any>;
    try {
      const fromBody = parseBody(req.headers['content-type'] ?? '', body);
      params = normaliseParams({ ...Object.fromEntries(url.searchParams), ...fromBody });
    } catch {
      return void (await failure(res, 400, "Bad Request: can't parse request body"));
    }
    const call: RecordedCall = { method, params, at, arrivedMs };
    calls.push(call);

    /** Answers the recorded call, or marks it aborted when the client is gone. */
    const answer = async (status: number, payload: unknown): Promise<boolean> => {
      if (gone || res.writableEnded || res.destroyed) {
        call.aborted = true;
        return false;
      }
      answering = true;
      call.status = status;
      call.answeredAt = Date.now();
      return reply(res, status, payload);
    };

    // Faults and rate limits are decided on arrival, so concurrent calls consume them in arrival order even when
    // delayed. A faulted call is not checked against (nor counted in) the rate limits.
    const slot = faults.find((f) => f.method === method || (f.method === '*' && method !== 'getUpdates'));
    if (slot && --slot.remaining === 0) faults.splice(faults.indexOf(slot), 1);
    const acceptedAt = Date.now();
    const admission = slot ? {} : admit(method, params, acceptedAt);
    if (!gone) await pause(delays.get(method) ?? 0, false, res);
    if (gone) {
      // Never processed: no effect, not even on the rate-limit windows.
      if (admission.entry) acceptedCalls = acceptedCalls.filter((e) => e !== admission.entry);
      call.aborted = true;
      return;
    }
    if (slot) {
      await answer(slot.fault.status, failureBody(slot.fault.status, slot.fault.description, slot.fault.parameters));
      return;
    }
    if (admission.retryAfter !== undefined) {
      const n = admission.retryAfter;
      if (await answer(429, failureBody(429, `Too Many Requests: retry after ${n}`, { retry_after: n }))) {
        rateLimitedCount++;
      }
      return;
    }

    const handler = handlers[method];
    if (!handler) return void (await answer(404, failureBody(404, 'Not Found: method not found')));
    let status = 200;
    let payload: unknown;
    try {
      payload = { ok: true, result: await handler(params, { res, call, acceptedAt }) };
    } catch (error) {
      if (error instanceof ApiError || error instanceof MembersError) {
        status = error.status;
        payload = failureBody(error.status, error.description);
      } else {
        status = 500;
        const description = `Internal Server Error: ${error instanceof Error ? error.message : String(error)}`;
        payload = failureBody(500, description);
      }
    }
    await answer(status, payload);
  };

  const server = createServer((req, res) => {
    const done = handle(req, res).catch(() => {
      if (!res.headersSent) res.destroy();
    });
    inflight.add(done);
    void done.finally(() => inflight.delete(done));
  });
  // Telegram keeps idle connections open far longer than Node's default 5 s. With the default, a client reusing a
  // kept-alive socket at the instant the fake closed it got ECONNRESET ("socket hang up"): a failure Telegram does
  // not cause, seen as a retried send (attempts 2) in tests under load.
  server.keepAliveTimeout = 65_000;
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
    // Messages injected here exist as far as deleteMessage is concerned.
    for (const key of ['message', 'edited_message', 'channel_post', 'edited_channel_post']) {
      const message = full[key];
      const chatId = message?.chat?.id;
      if (typeof chatId === 'number' && typeof message.message_id === 'number') {
        addId(knownIds, chatId, message.message_id);
      }
    }
    nextUpdateId = Math.max(nextUpdateId, full.update_id + 1);
    pending.push(full);
    for (const waiter of [...waiters]) if (waiter.onUpdate) waiter.wake();
    return full;
  };

  const fake: FakeTelegram = {
    ...membership.api,
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
          ...(from.last_name && { last_name: from.last_name }),
          ...(from.username && { username: from.username }),
          ...(from.language_code && { language_code: from.language_code }),
        },
        text,
        ...(command && { entities: [{ type: 'bot_command', offset: 0, length: command.length }] }),
        ...(replyTo !== undefined && {
          // As Telegram does: the whole message replied to when it is known here, else its id.
          reply_to_message: userMessages.get(`${chat.id}:${replyTo}`) ?? { message_id: replyTo, date, chat: chatJson },
        }),
      };
      const { reply_to_message: _replied, ...plain } = message;
      userMessages.set(`${chat.id}:${message.message_id}`, plain);
      return { update: pushUpdate({ message }), message };
    },
    clearFaults: () => {
      faults.length = 0;
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
        ...(m.entities !== undefined && { entities: m.entities }),
        ...(m.reply_markup !== undefined && { reply_markup: m.reply_markup }),
        ...(m.reply_to_message_id !== undefined && { reply_to_message_id: m.reply_to_message_id }),
        edits: m.edits,
        ...(isDeleted(chatId, m.message_id) && { deleted: true as const }),
      })),
    sentMessages: () => sent.map((m) => ({ ...m })),
    deleteMessage: (chatId, messageId) => addId(deletedIds, chatId, messageId),
    setRateLimits: (limits) => {
      if (limits === null) {
        rateLimits = null;
        acceptedCalls = [];
        return;
      }
      for (const [name, value] of Object.entries(limits)) {
        if (name === 'methods') continue;
        if (value !== undefined && !(Number.isInteger(value) && value > 0)) {
          throw new RangeError(`setRateLimits: ${name} must be a positive integer, got ${String(value)}`);
        }
      }
      rateLimits = { ...limits };
    },
    rateLimited: () => rateLimitedCount,
    menuButton: (chatId) => menuButtons.get(chatId) ?? defaultMenuButton,
    setAdmins: (chatId, userIds) => {
      admins.set(chatId, [...userIds]);
    },
    pressButton: ({ from, data, chatId, messageId, inlineMessageId }) => {
      const id = `cbq-${nextQueryId++}`;
      const query: Record<string, any> = { id, from: userJson(from), chat_instance: `ci-${chatId ?? 'inline'}`, data };
      if (inlineMessageId !== undefined) {
        query.inline_message_id = inlineMessageId;
      } else {
        if (chatId === undefined || messageId === undefined)
          throw new Error('pressButton needs chatId + messageId or inlineMessageId');
        const message = botMessages.get(chatId)?.find((m) => m.message_id === messageId);
        if (!message) throw new Error(`pressButton: the bot has no message ${messageId} in chat ${chatId}`);
        query.message = botMessageJson(chatId, message);
      }
      pushUpdate({ callback_query: query });
      return id;
    },
    callbackAnswer: (queryId) => callbackAnswers.get(queryId),
    tapButton: async (opts, timeoutMs) => {
      const id = fake.pressButton(opts);
      await fake.waitFor(() => callbackAnswers.has(id), timeoutMs);
      return callbackAnswers.get(id) as Record<string, any>;
    },
    inlineQuery: ({ from, query }) => {
      const id = `iq-${nextQueryId++}`;
      inlineAnswers.set(id, { from, query });
      pushUpdate({ inline_query: { id, from: userJson(from), query, offset: '' } });
      return id;
    },
    inlineResults: (queryId) => inlineAnswers.get(queryId)?.results,
    chooseInlineResult: ({ queryId, index = 0, feedback = true }) => {
      const answered = inlineAnswers.get(queryId);
      const result = answered?.results?.[index];
      if (!answered || !result) throw new Error(`chooseInlineResult: query ${queryId} has no result ${index}`);
      const content = result.input_message_content ?? {};
      const markup = normaliseMarkup(result.reply_markup);
      if (markup === undefined)
        throw new Error('chooseInlineResult: without an inline keyboard Telegram gives no inline_message_id');
      const inlineMessageId = `inl-${nextQueryId++}`;
      inlineMessages.set(inlineMessageId, { text: String(content.message_text ?? ''), reply_markup: markup, edits: 0 });
      if (feedback) {
        pushUpdate({
          chosen_inline_result: {
            result_id: String(result.id),
            from: userJson(answered.from),
            query: answered.query,
            inline_message_id: inlineMessageId,
          },
        });
      }
      return inlineMessageId;
    },
    inlineMessage: (inlineMessageId) => {
      const message = inlineMessages.get(inlineMessageId);
      return message && { ...message };
    },
    documents: () => documents.map((d) => ({ ...d })),
    media: () => media.map((m) => ({ ...m })),
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
  return fake;
}
