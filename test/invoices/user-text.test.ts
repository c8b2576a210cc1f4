import { describe, expect, it } from 'vitest';
import { cleanUserText } from '../../src/invoices/user-text.js';

describe('cleanUserText', () => {
  it('turns line breaks, tabs and other controls into one space', () => {
    expect(cleanUserText('Coffee\n✅ Paid · Received: 10 bUSDT')).toBe('Coffee ✅ Paid · Received: 10 bUSDT');
    expect(cleanUserText('a\r\nb\tc\u0000d\u0085e\u2028f\u2029g\u000bh')).toBe('a b c d e f g h');
  });

  it.each([
    ['U+202E right-to-left override', '\u202e'],
    ['U+202D left-to-right override', '\u202d'],
    ['U+202A–U+202C embeddings and pop', '\u202a\u202b\u202c'],
    ['U+2066–U+2069 isolates', '\u2066\u2067\u2068\u2069'],
    ['U+200E/U+200F and U+061C marks', '\u200e\u200f\u061c'],
    ['U+200B zero-width space', '\u200b'],
    ['U+200C/U+200D ZWNJ and ZWJ', '\u200c\u200d'],
    ['U+FEFF byte order mark', '\ufeff'],
    ['U+00AD soft hyphen', '\u00ad'],
    ['U+2060 word joiner', '\u2060'],
    ['tag characters', '\u{e0041}\u{e007f}'],
  ])('drops %s', (_name, chars) => {
    expect(cleanUserText(`Tea${chars} cake${chars}`)).toBe('Tea cake');
  });

  it('collapses whitespace of every kind and trims', () => {
    expect(cleanUserText('  Tea \u00a0\u202f\u3000  cake  ')).toBe('Tea cake');
    expect(cleanUserText('\n\u202e\t')).toBe('');
  });

  it('keeps visible text: letters in any script, emoji with their variation selectors, quotes', () => {
    expect(cleanUserText('Кофе ☕️ «латте» & <cake> 🥐')).toBe('Кофе ☕️ «латте» & <cake> 🥐');
  });
});
