import { randomBytes } from 'node:crypto';
import type { Message } from 'grammy/types';
import type { ProductContent } from '../db/vocabulary.js';
import { type PayCommandProblem, type PayRequest, parsePayCommand } from '../invoices/pay-command.js';
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

/** `/newproduct <amount> [token] <title…>`: the amount and token as /pay reads them; the title is required. */
export function parseNewProduct(args: string, tokens: TokenPolicy): NewProductResult {
  const parsed = parsePayCommand(args, tokens);
  if (!parsed.ok) {
    if (parsed.problem === 'description_too_long') return { ok: false, problem: 'title_too_long' };
    return { ok: false, problem: parsed.problem, ...(parsed.word !== undefined && { word: parsed.word }) };
  }
  const { amount, token, description }: PayRequest = parsed.request;
  if (!description) return { ok: false, problem: 'missing_title' };
  if ([...description].length > MAX_TITLE_LENGTH) return { ok: false, problem: 'title_too_long' };
  return { ok: true, product: { amount, token, title: description } };
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
  const amount = (fields.amount ?? '').trim();
  const token = (fields.token ?? '').trim() || tokens.defaultToken;
  if (amount === '') return { ok: false, problem: 'missing_amount' };
  if (/\s/.test(amount)) {
    return { ok: false, problem: /^[\d\s.,]+$/.test(amount) ? 'ambiguous_grouping' : 'not_a_number', word: amount };
  }
  if (/\s/.test(token)) return { ok: false, problem: 'unknown_token', word: token };
  const parsed = parseNewProduct(`${amount} ${token} ${fields.title ?? ''}`, tokens);
  // The second word was the token field: were it not one, the title would have swallowed it.
  if (parsed.ok && parsed.product.token !== findCurrency(token))
    return { ok: false, problem: 'unknown_token', word: token };
  return parsed;
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

/**
 * `/addkeys <code>` then one key per line, in the same message. Lines are trimmed; empty ones are skipped and a key
 * repeated in the message counts once.
 */
export function parseAddKeys(args: string): AddKeysResult {
  const [first = '', ...lines] = args.split(/\r?\n/);
  const code = first.trim();
  const keys = [...new Set(lines.map((line) => line.trim()).filter((line) => line !== ''))];
  if (!isProductCode(code) || keys.length === 0) return { ok: false, problem: 'usage' };
  if (keys.some((key) => [...key].length > MAX_KEY_LENGTH)) return { ok: false, problem: 'key_too_long' };
  if (keys.length > MAX_KEYS_PER_MESSAGE) return { ok: false, problem: 'too_many_keys' };
  return { ok: true, code, keys };
}
