import type { Database } from '../db/client.js';
import { fixedStatement } from '../db/fixed-statement.js';
import { chatSettings } from '../db/schema.js';
import { isLocale, type Locale } from '../i18n/index.js';

// Per-chat preferences. Read on every update (one primary-key lookup), so a /lang change made on one
// replica is seen by all at once.

export interface ChatSettings {
  /** The chat's /lang choice, if any. */
  locale(chatId: number): Promise<Locale | undefined>;
  setLocale(chatId: number, locale: Locale | null): Promise<void>;
}

/** Read on every update: a fixed statement (prepared once per connection), not drizzle's builder. */
const LOCALE = fixedStatement('select locale from chat_settings where chat_id = $chatId', ['chatId']);

export function createChatSettings(deps: { db: Database; now?: () => Date }): ChatSettings {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());
  return {
    async locale(chatId) {
      const [row] = await LOCALE.run(db, { chatId });
      return isLocale(row?.locale) ? row.locale : undefined;
    },
    async setLocale(chatId, locale) {
      await db
        .insert(chatSettings)
        .values({ chatId, locale, updatedAt: now() })
        .onConflictDoUpdate({ target: chatSettings.chatId, set: { locale, updatedAt: now() } });
    },
  };
}
