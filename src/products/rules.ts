import { randomBytes } from 'node:crypto';
import type { Message } from 'grammy/types';
import type { ProductRow } from '../db/schema.js';
import type { ProductContent } from '../db/vocabulary.js';
import { parseAmount } from '../invoices/amount.js';
import { type PayCommandProblem, type PayRequest, parsePayCommand } from '../invoices/pay-command.js';
import { cleanUserText } from '../invoices/user-text.js';
import { findCurrency, type TokenPolicy } from '../payments/currencies.js';

// The shop's rules, without a database: how /newproduct is read, what a product code looks like, and what of a
// message /setcontent keeps so the bot can send a copy of it at any later time.

export const MAX_TITLE_LENGTH = 100;

/** `[A-Za-z0-9_-]`, at most 32: what Telegram allows in a start parameter (up to 64) and what a code can be. */
export const PRODUCT_CODE = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * A new product's code: 12 random bytes, base64url (16 characters, 96 bits), so nobody finds a product by guessing
 * links. Never a word the bot's own /start links use (`help` has 4 characters).
 */
export function newProductCode(random: (size: number) => Buffer = randomBytes): string {
  return random(12).toString('base64url');
}

export const isProductCode = (text: string): boolean => PRODUCT_CODE.test(text);

export type NewProductProblem = Exclude<PayCommandProblem, 'description_too_long'> | 'missing_title' | 'title_too_long';

export type NewProductResult =
  | { ok: true; product: { amount: string; token: string; title: string } }
  | { ok: false; problem: NewProductProblem; word?: string };

export type TitleResult = { ok: true; title: string } | { ok: false; problem: 'missing_title' | 'title_too_long' };

/**
 * A product's title wherever it is typed (/newproduct, the dashboard's form and edit): cleaned as an invoice
 * description is (one plain line, nothing invisible), then required and at most MAX_TITLE_LENGTH characters as
 * they will be shown.
 */
export function parseProductTitle(raw: string): TitleResult {
  const title = cleanUserText(raw);
  if (title === '') return { ok: false, problem: 'missing_title' };
  if ([...title].length > MAX_TITLE_LENGTH) return { ok: false, problem: 'title_too_long' };
  return { ok: true, title };
}

/** `/newproduct <amount> [token] <title…>`: the amount and token as /pay reads them; the title is required. */
export function parseNewProduct(args: string, tokens: TokenPolicy): NewProductResult {
  const parsed = parsePayCommand(args, tokens);
  if (!parsed.ok) {
    if (parsed.problem === 'description_too_long') return { ok: false, problem: 'title_too_long' };
    return { ok: false, problem: parsed.problem, ...(parsed.word !== undefined && { word: parsed.word }) };
  }
  const { amount, token, description }: PayRequest = parsed.request;
  const title = parseProductTitle(description ?? '');
  if (!title.ok) return title;
  return { ok: true, product: { amount, token, title: title.title } };
}

/**
 * The dashboard's form, field by field, by /newproduct's rules: the token is always given (the default when left
 * empty), so a title that starts with a ticker ("bUSDT stickers") stays the title, and an amount or token of more
 * than one word is refused rather than shifting the words after it.
 */
export function parseProductFields(
  fields: { amount?: string | undefined; token?: string | undefined; title?: string | undefined },
  tokens: TokenPolicy,
): NewProductResult {
  const rawAmount = (fields.amount ?? '').trim();
  if (/\s/.test(rawAmount)) {
    const problem = /^[\d\s.,]+$/.test(rawAmount) ? 'ambiguous_grouping' : 'not_a_number';
    return { ok: false, problem, word: rawAmount };
  }
  const amountWord = cleanUserText(rawAmount);
  if (amountWord === '') return { ok: false, problem: 'missing_amount' };
  const amount = parseAmount(amountWord);
  if (!amount.ok) return { ok: false, problem: amount.reason, word: amountWord };

  const rawToken = (fields.token ?? '').trim();
  if (/\s/.test(rawToken)) return { ok: false, problem: 'unknown_token', word: rawToken };
  const tokenWord = cleanUserText(rawToken) || tokens.defaultToken;
  const token = findCurrency(tokenWord);
  if (!token) return { ok: false, problem: 'unknown_token', word: tokenWord };
  if (!tokens.accepted.includes(token)) return { ok: false, problem: 'token_not_accepted', word: token };

  const title = parseProductTitle(fields.title ?? '');
  if (!title.ok) return title;
  return { ok: true, product: { amount: amount.value, token, title: title.title } };
}

/**
 * Delivers nothing: no content and no paid access, so nothing is sold until /setcontent (the card's hint, the
 * dashboard's note). An access-only product delivers its access.
 */
export function deliversNothing(product: Pick<ProductRow, 'content' | 'accessChatId'>): boolean {
  return !product.content && product.accessChatId === null;
}

/**
 * What /setcontent keeps of the message it replies to: text with its entities, or a photo (the largest size),
 * document, video, audio or voice by file id with its caption and caption entities. Undefined for anything else
 * (stickers, polls, albums are not a product).
 */
export function contentOf(message: Message): ProductContent | undefined {
  const caption = { caption: message.caption ?? null, captionEntities: message.caption_entities ?? [] };
  if (message.photo && message.photo.length > 0) {
    const largest = message.photo[message.photo.length - 1];
    return largest && { type: 'photo', fileId: largest.file_id, ...caption };
  }
  if (message.video) return { type: 'video', fileId: message.video.file_id, ...caption };
  if (message.audio) return { type: 'audio', fileId: message.audio.file_id, ...caption };
  if (message.voice) return { type: 'voice', fileId: message.voice.file_id, ...caption };
  // An animation also carries a `document`; it is not one of the kinds a product delivers.
  if (message.document && !message.animation) return { type: 'document', fileId: message.document.file_id, ...caption };
  if (message.text) return { type: 'text', text: message.text, entities: message.entities ?? [] };
  return undefined;
}

/** A key is one line of at most this many characters; one /addkeys message adds at most MAX_KEYS_PER_MESSAGE. */
export const MAX_KEY_LENGTH = 256;
export const MAX_KEYS_PER_MESSAGE = 1000;

export type AddKeysResult =
  | { ok: true; code: string; keys: string[] }
  | { ok: false; problem: 'usage' | 'key_too_long' | 'too_many_keys' };

export type KeyLinesResult =
  | { ok: true; keys: string[] }
  | { ok: false; problem: 'usage' | 'key_too_long' | 'too_many_keys' };

/**
 * One key per line (the dashboard's box, and /addkeys after its code). Lines are trimmed; empty ones are skipped and
 * a key repeated counts once.
 */
export function parseKeyLines(lines: readonly string[]): KeyLinesResult {
  const keys = [...new Set(lines.map((line) => line.trim()).filter((line) => line !== ''))];
  if (keys.length === 0) return { ok: false, problem: 'usage' };
  if (keys.some((key) => [...key].length > MAX_KEY_LENGTH)) return { ok: false, problem: 'key_too_long' };
  if (keys.length > MAX_KEYS_PER_MESSAGE) return { ok: false, problem: 'too_many_keys' };
  return { ok: true, keys };
}

/** `/addkeys <code>` then one key per line (parseKeyLines), in the same message. */
export function parseAddKeys(args: string): AddKeysResult {
  const [first = '', ...lines] = args.split(/\r?\n/);
  const code = first.trim();
  if (!isProductCode(code)) return { ok: false, problem: 'usage' };
  const parsed = parseKeyLines(lines);
  return parsed.ok ? { ok: true, code, keys: parsed.keys } : parsed;
}
