import { eq } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { chatSettings } from '../db/schema.js';
import { isLocale, type Locale } from '../i18n/index.js';

// Per-chat preferences. Read on every update (one primary-key lookup), so a /lang change made on one
// replica is seen by all at once.

export interface ChatSettings {
  /** The chat's /lang choice, if any. */
  locale(chatId: number): Promise<Locale | undefined>;
  setLocale(chatId: number, locale: Locale | null): Promise<void>;
}

export function createChatSettings(deps: { db: Database; now?: () => Date }): ChatSettings {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());
  return {
    async locale(chatId) {
      const [row] = await db
        .select({ locale: chatSettings.locale })
        .from(chatSettings)
        .where(eq(chatSettings.chatId, chatId))
        .limit(1);
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
