import { readdirSync, readFileSync, statSync } from 'node:fs';
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

/** Every `.ts` file under `directory`. */
function sourceFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

describe('locales', () => {
  it('every key the code looks up by name (t(…), ctx.t(…)) exists in English (so in every language)', () => {
    const english = keysOf('en');
    const used = new Map<string, string>();
    for (const file of sourceFiles(join(LOCALES_DIRECTORY, '..', 'src'))) {
      for (const match of readFileSync(file, 'utf8').matchAll(/\bt\(\s*'([a-z][a-z0-9-]*)'/g)) {
        used.set(match[1] as string, file);
      }
    }
    expect(used.size).toBeGreaterThan(50);
    const missing = [...used].filter(([key]) => !english.has(key)).map(([key, file]) => `${key} (${file})`);
    expect(missing).toEqual([]);
  });

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
    expect(translator.forLocale('de')('pay-missing-amount', { token: 'bUSDT', command: 'pay' })).toBe(
      'Add the amount — e.g. <code>/pay 5 bUSDT coffee</code>',
    );
    expect(translator.forLocale('ru').locale).toBe('ru');
    expect(translator.forLocale('de').locale).toBe('en');
  });

  it('breaks no sentence across lines: a line of a message never ends in a comma nor goes on in lowercase', () => {
    for (const locale of LOCALES) {
      const directory = join(LOCALES_DIRECTORY, locale);
      for (const file of readdirSync(directory).filter((name) => name.endsWith('.ftl'))) {
        const lines = readFileSync(join(directory, file), 'utf8').split('\n');
        lines.forEach((line, i) => {
          const where = `${locale}/${file}:${i + 1}`;
          if (line.startsWith('#')) return;
          expect(line.trimEnd().endsWith(','), where).toBe(false);
          // A continuation line (indented) starting in lowercase continues the sentence above it.
          expect(/^\s+\p{Ll}/u.test(line), where).toBe(false);
        });
      }
    }
  });

  it('names languages by their own names in every locale, for /lang', () => {
    for (const locale of LOCALES) {
      const t = createTranslator({ localeOf: async () => 'en' }).forLocale(locale);
      expect([t('lang-name-en'), t('lang-name-ru')], locale).toEqual(['English', 'Русский']);
    }
  });

  it('picks a locale from Telegram language codes', () => {
    expect(pickLocale('ru')).toBe('ru');
    expect(pickLocale('ru-RU')).toBe('ru');
    expect(pickLocale('en-GB')).toBe('en');
    expect(pickLocale('de')).toBe('en');
    expect(pickLocale(undefined)).toBe('en');
  });
});
