import type { Message } from 'grammy/types';
import { describe, expect, it } from 'vitest';
import {
  contentOf,
  deliversNothing,
  isProductCode,
  MAX_KEYS_PER_MESSAGE,
  newProductCode,
  parseAddKeys,
  parseKeyLines,
  parseNewProduct,
  parseProductFields,
  parseProductTitle,
} from '../../src/products/rules.js';

// The shop's rules without a database: /newproduct reads amounts and tokens exactly as /pay does and wants a title;
// codes are random and link-safe; /setcontent keeps what is needed to send a copy later.

const tokens = { accepted: ['bUSDT', 'pUSDC'], defaultToken: 'bUSDT' };

describe('parseProductFields (the dashboard form)', () => {
  it('reads each field by /newproduct rules; a title that starts with a ticker stays the title', () => {
    expect(parseProductFields({ amount: '3.5', title: 'pUSDC stickers' }, tokens)).toEqual({
      ok: true,
      product: { amount: '3.5', token: 'bUSDT', title: 'pUSDC stickers' },
    });
    expect(parseProductFields({ amount: '3,5', token: 'pusdc', title: 'Pack' }, tokens)).toMatchObject({
      ok: true,
      product: { amount: '3.5', token: 'pUSDC', title: 'Pack' },
    });
  });

  it('refuses a field of several words, an unknown token and a missing title instead of shifting words', () => {
    expect(parseProductFields({ amount: '1 000', title: 'Pack' }, tokens)).toMatchObject({
      ok: false,
      problem: 'ambiguous_grouping',
    });
    expect(parseProductFields({ amount: '5 x', title: 'Pack' }, tokens)).toMatchObject({ problem: 'not_a_number' });
    expect(parseProductFields({ amount: '5', token: 'coffee', title: 'Pack' }, tokens)).toMatchObject({
      problem: 'unknown_token',
    });
    expect(parseProductFields({ amount: '5', token: 'aUSDT', title: 'Pack' }, tokens)).toMatchObject({
      problem: 'token_not_accepted',
    });
    expect(parseProductFields({ amount: '5', title: '' }, tokens)).toMatchObject({ problem: 'missing_title' });
    expect(parseProductFields({ title: 'Pack' }, tokens)).toMatchObject({ problem: 'missing_amount' });
  });
});

describe('parseProductTitle (every place a title is typed)', () => {
  it('cleans the title to one plain line, then counts what is left', () => {
    expect(parseProductTitle('  Photo\npack\u200B ')).toEqual({ ok: true, title: 'Photo pack' });
    expect(parseProductTitle('\u200B')).toEqual({ ok: false, problem: 'missing_title' });
    expect(parseProductTitle(' \u202E\t')).toEqual({ ok: false, problem: 'missing_title' });
    expect(parseProductTitle(`${'я'.repeat(100)}\u200B\u200B`)).toEqual({ ok: true, title: 'я'.repeat(100) });
    expect(parseProductTitle('я'.repeat(101))).toEqual({ ok: false, problem: 'title_too_long' });
  });

  it('is the rule the form uses: an invisible title is missing, a line break a space', () => {
    expect(parseProductFields({ amount: '5', title: '\u200B' }, tokens)).toEqual({
      ok: false,
      problem: 'missing_title',
    });
    expect(parseProductFields({ amount: '5', title: 'a\nb' }, tokens)).toMatchObject({ product: { title: 'a b' } });
    expect(parseProductFields({ amount: '5', title: 'я'.repeat(101) }, tokens)).toEqual({
      ok: false,
      problem: 'title_too_long',
    });
    expect(parseProductFields({ amount: '5\u200B', token: '\u200BpUSDC', title: 'Pack' }, tokens)).toEqual({
      ok: true,
      product: { amount: '5', token: 'pUSDC', title: 'Pack' },
    });
    expect(parseProductFields({ amount: '5', token: 'pUSDC\nbUSDT', title: 'Pack' }, tokens)).toMatchObject({
      problem: 'unknown_token',
    });
  });
});

describe('parseKeyLines and parseAddKeys', () => {
  it('reads one key per line, trimmed, each once; /addkeys wants a code before them', () => {
    expect(parseKeyLines([' K1 ', '', 'K2', 'K1'])).toEqual({ ok: true, keys: ['K1', 'K2'] });
    expect(parseKeyLines(['', ' '])).toEqual({ ok: false, problem: 'usage' });
    expect(parseKeyLines(['x'.repeat(257)])).toEqual({ ok: false, problem: 'key_too_long' });
    const many = Array.from({ length: MAX_KEYS_PER_MESSAGE + 1 }, (_, i) => `K${i}`);
    expect(parseKeyLines(many)).toEqual({ ok: false, problem: 'too_many_keys' });
    expect(parseAddKeys('abc\nK1\r\nK2')).toEqual({ ok: true, code: 'abc', keys: ['K1', 'K2'] });
    expect(parseAddKeys('bad code\nK1')).toEqual({ ok: false, problem: 'usage' });
    expect(parseAddKeys('abc')).toEqual({ ok: false, problem: 'usage' });
  });
});

describe('deliversNothing', () => {
  it('is true only without content and without paid access', () => {
    expect(deliversNothing({ content: null, accessChatId: null })).toBe(true);
    expect(deliversNothing({ content: null, accessChatId: -100_1 })).toBe(false);
    expect(deliversNothing({ content: { type: 'keys' }, accessChatId: null })).toBe(false);
  });
});

describe('parseNewProduct', () => {
  it('reads amount, optional token and a title of at most 100 characters', () => {
    expect(parseNewProduct('12,5 pusdc Photo pack', tokens)).toEqual({
      ok: true,
      product: { amount: '12.5', token: 'pUSDC', title: 'Photo pack' },
    });
    expect(parseNewProduct('5 Photo pack', tokens)).toMatchObject({ ok: true, product: { token: 'bUSDT' } });
    expect(parseNewProduct(`5 ${'я'.repeat(100)}`, tokens).ok).toBe(true);
    expect(parseNewProduct(`5 ${'я'.repeat(101)}`, tokens)).toEqual({ ok: false, problem: 'title_too_long' });
    expect(parseNewProduct(`5 ${'x'.repeat(201)}`, tokens)).toEqual({ ok: false, problem: 'title_too_long' });
  });

  it('refuses what /pay refuses, and a missing title', () => {
    expect(parseNewProduct('', tokens)).toEqual({ ok: false, problem: 'missing_amount' });
    expect(parseNewProduct('5 bUSDT', tokens)).toEqual({ ok: false, problem: 'missing_title' });
    expect(parseNewProduct('1.000 Pack', tokens)).toMatchObject({ ok: false, problem: 'ambiguous_grouping' });
    expect(parseNewProduct('5 USDTT Pack', tokens)).toEqual({ ok: false, problem: 'unknown_token', word: 'USDTT' });
  });
});

describe('product codes', () => {
  it('are 16 base64url characters from 12 random bytes, and match the code pattern', () => {
    const code = newProductCode();
    expect(code).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(newProductCode()).not.toBe(code);
    expect(newProductCode(() => Buffer.alloc(12, 0xff))).toBe('________________');
    expect(isProductCode(code)).toBe(true);
    expect(isProductCode('a'.repeat(33))).toBe(false);
    expect(isProductCode('bad code')).toBe(false);
  });
});

describe('contentOf', () => {
  const base = { message_id: 1, date: 0, chat: { id: 1, type: 'private', first_name: 'M' } } as const;
  const message = (fields: Record<string, unknown>) => ({ ...base, ...fields }) as unknown as Message;
  const bold = [{ type: 'bold' as const, offset: 0, length: 2 }];

  it('keeps text with entities, and each medium by file id with caption and caption entities', () => {
    expect(contentOf(message({ text: 'hi <b>', entities: bold }))).toEqual({
      type: 'text',
      text: 'hi <b>',
      entities: bold,
    });
    const sizes = [{ file_id: 'small' }, { file_id: 'large' }];
    expect(contentOf(message({ photo: sizes, caption: 'cap', caption_entities: bold }))).toEqual({
      type: 'photo',
      fileId: 'large',
      caption: 'cap',
      captionEntities: bold,
    });
    for (const type of ['document', 'video', 'audio', 'voice'] as const) {
      expect(contentOf(message({ [type]: { file_id: `${type}-id` } }))).toEqual({
        type,
        fileId: `${type}-id`,
        caption: null,
        captionEntities: [],
      });
    }
  });

  it('refuses stickers, animations and anything else', () => {
    expect(contentOf(message({ sticker: { file_id: 's' } }))).toBeUndefined();
    expect(contentOf(message({ animation: { file_id: 'a' }, document: { file_id: 'a' } }))).toBeUndefined();
    expect(contentOf(message({ poll: {} }))).toBeUndefined();
  });
});
