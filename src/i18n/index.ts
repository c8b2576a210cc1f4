import { fileURLToPath } from 'node:url';
import { I18n, type I18nFlavor } from '@grammyjs/i18n';
import type { Context } from 'grammy';

// Every user-facing string lives in locales/<locale>/*.ftl (Fluent). Bot handlers translate with ctx.t;
// the outbox, which renders at send time outside any update, gets a Translate for the chat's locale.

export const LOCALES = ['en', 'ru'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en';

/** What translating needs of an update: grammY's context with the plugin's ctx.t (the bot's BotContext is one). */
export type I18nContext = Context & I18nFlavor;

export type TranslationArgs = Record<string, string | number>;
/** Looks a message up: enough for a text that shows no amount or percentage. */
export type Lookup = (key: string, args?: TranslationArgs) => string;
/** A lookup that knows its locale, which amounts and percentages are written in (src/views/numbers.ts). */
export type Translate = Lookup & { readonly locale: Locale };

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** A Telegram language_code ("ru", "ru-RU", "en-GB", undefined) to one of ours; unknown → English. */
export function pickLocale(languageCode: string | null | undefined): Locale {
  const base = languageCode?.toLowerCase().split(/[-_]/)[0];
  return isLocale(base) ? base : DEFAULT_LOCALE;
}

/** locales/ at the project root, from src/i18n (tsx) and from dist/i18n (the build) alike. */
export const LOCALES_DIRECTORY = fileURLToPath(new URL('../../locales', import.meta.url));

export interface Translator {
  /** The grammY plugin; its middleware gives each update ctx.t in the negotiated locale. */
  plugin: I18n<I18nContext>;
  forLocale(locale: string | null | undefined): Translate;
}

export interface TranslatorOptions {
  directory?: string;
  /** The locale for an update: the chat's /lang choice, else the user's Telegram language. */
  localeOf(ctx: I18nContext): Promise<Locale>;
}

export function createTranslator(options: TranslatorOptions): Translator {
  const directory = options.directory ?? LOCALES_DIRECTORY;
  // The plugin negotiates on every update and again on each ctx.i18n.getLocale(); the answer (a database
  // read) is the same within one update, so it is asked once per update.
  const negotiated = new WeakMap<I18nContext, Promise<Locale>>();
  const plugin = new I18n<I18nContext>({
    defaultLocale: DEFAULT_LOCALE,
    directory,
    // Unicode isolation marks around arguments would end up inside Telegram HTML and amounts.
    fluentBundleOptions: { useIsolating: false },
    localeNegotiator: (ctx) => {
      let locale = negotiated.get(ctx);
      if (!locale) {
        locale = options.localeOf(ctx);
        negotiated.set(ctx, locale);
      }
      return locale;
    },
  });
  for (const locale of LOCALES) {
    if (!plugin.locales.includes(locale)) throw new Error(`no translations for "${locale}" in ${directory}`);
  }
  return {
    plugin,
    forLocale(locale) {
      const chosen = isLocale(locale) ? locale : DEFAULT_LOCALE;
      return Object.assign((key: string, args?: TranslationArgs) => plugin.t(chosen, key, args), { locale: chosen });
    },
  };
}

/** ctx.t with the update's locale attached, for the renderers that show amounts. */
export async function translateOf(ctx: I18nContext): Promise<Translate> {
  const negotiated = await ctx.i18n.getLocale();
  const locale = isLocale(negotiated) ? negotiated : DEFAULT_LOCALE;
  return Object.assign((key: string, args?: TranslationArgs) => ctx.t(key, args), { locale });
}
