import { FluentBundle, FluentResource } from '@fluent/bundle';
// The page's strings, from the same locales/ as the bot's (test/i18n/locales.test.ts checks both languages have
// each key this page looks up with t('…')); esbuild inlines the files as text.
import en from '../../../locales/en/miniapp.ftl';
import ru from '../../../locales/ru/miniapp.ftl';

export type Locale = 'en' | 'ru';
export type Translate = ((key: string, args?: Record<string, string | number>) => string) & { locale: Locale };

const SOURCES: Record<Locale, string> = { en, ru };

/** The Telegram user's language_code → one we speak (as the bot's pickLocale). */
export function pickLocale(languageCode: string | undefined): Locale {
  return languageCode?.toLowerCase().split(/[-_]/)[0] === 'ru' ? 'ru' : 'en';
}

export function translator(locale: Locale): Translate {
  const bundles = [locale, 'en' as const].map((name) => {
    const bundle = new FluentBundle(name, { useIsolating: false });
    bundle.addResource(new FluentResource(SOURCES[name]));
    return bundle;
  });
  const t = (key: string, args?: Record<string, string | number>) => {
    for (const bundle of bundles) {
      const message = bundle.getMessage(key);
      if (message?.value) return bundle.formatPattern(message.value, args);
    }
    return key;
  };
  return Object.assign(t, { locale });
}

/** A decimal string as the bot writes it: "14.5" in English, "14,5" in Russian (money is never a float). */
export function decimal(value: string, locale: Locale): string {
  return locale === 'ru' ? value.replace('.', ',') : value;
}

export function money(amount: string, token: string, locale: Locale): string {
  return `${decimal(amount, locale)} ${token}`;
}

/** A time in UTC, as the bot shows times: "2024-05-01 14:03 UTC". */
export function utc(iso: string | null): string {
  return iso === null ? '—' : `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}
