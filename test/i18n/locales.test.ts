import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTranslator, LOCALES, LOCALES_DIRECTORY, pickLocale } from '../../src/i18n/index.js';

// Every message exists in every language, and the files parse: a missing Russian key would show
// the raw key to a Russian-speaking customer.

function keysOf(locale: string): Map<string, string> {
  const keys = new Map<string, string>();
  const directory = join(LOCALES_DIRECTORY, locale);
  for (const file of readdirSync(directory).filter((name) => name.endsWith('.ftl'))) {
    for (const match of readFileSync(join(directory, file), 'utf8').matchAll(/^([a-z][\w-]*)\s*=/gm)) {
      keys.set(match[1] as string, file);
    }
  }
  return keys;
}

describe('locales', () => {
  it('every key exists in every language, in a file of the same name', () => {
    const english = keysOf('en');
    expect(english.size).toBeGreaterThan(10);
    for (const locale of LOCALES) {
      const other = keysOf(locale);
      expect([...other.keys()].sort(), locale).toEqual([...english.keys()].sort());
      for (const [key, file] of english) expect(other.get(key), `${locale}: ${key}`).toBe(file);
    }
  });

  it('translates without isolation marks, in the asked language, falling back to English', () => {
    const translator = createTranslator({ localeOf: async () => 'en' });
    expect(translator.forLocale('en')('tokens-hint', { token: 'bUSDT' })).toBe(
      'Name one after the amount: <code>/pay 5 bUSDT</code>',
    );
    expect(translator.forLocale('ru')('tokens-hint', { token: 'bUSDT' })).toBe(
      'Укажите его после суммы: <code>/pay 5 bUSDT</code>',
    );
    expect(translator.forLocale('de')('pay-missing-amount')).toBe('Tell me the amount to charge.');
  });

  it('picks a locale from Telegram language codes', () => {
    expect(pickLocale('ru')).toBe('ru');
    expect(pickLocale('ru-RU')).toBe('ru');
    expect(pickLocale('en-GB')).toBe('en');
    expect(pickLocale('de')).toBe('en');
    expect(pickLocale(undefined)).toBe('en');
  });
});
