import { and, eq, ne } from 'drizzle-orm';
import type { Api } from 'grammy';
import type { Database } from '../db/client.js';
import { type ProductRow, products } from '../db/schema.js';
import { normaliseDecimal } from '../decimal.js';
import { type ChatRef, missingRight, type RightsProblem } from './rules.js';

// Paid access's service: which chat a product lets its buyers into (/setaccess), checked with Telegram first.

export type ChatCheck =
  | { ok: true; chatId: number; title: string }
  | ({ ok: false } & (RightsProblem | { problem: 'chat_not_found' } | { problem: 'not_a_group' }));

export interface AccessService {
  /** Can the bot sell access to this chat? Looks it up and asks getChatMember for the bot's own rights there. */
  checkChat(chat: ChatRef, botId: number): Promise<ChatCheck>;
  /** Sets a merchant's product's access (undefined: no such product of theirs). */
  setAccess(
    merchantUserId: number,
    code: string,
    access: { chatId: number; title: string; periodSeconds: number | null },
  ): Promise<ProductRow | undefined>;
}

export interface AccessServiceDeps {
  db: Database;
  api: Pick<Api, 'getChat' | 'getChatMember'>;
  now: () => Date;
}

export function createAccessService(deps: AccessServiceDeps): AccessService {
  const { db, api, now } = deps;
  return {
    async checkChat(chat, botId) {
      let found: { id: number; type: string; title?: string };
      try {
        found = await api.getChat(chat);
      } catch {
        // Unknown, private to the bot, or a typo: Telegram says "chat not found" for all of them.
        return { ok: false, problem: 'chat_not_found' };
      }
      if (found.type === 'private') return { ok: false, problem: 'not_a_group' };
      const member = await api.getChatMember(found.id, botId).catch(() => ({ status: 'left' }));
      const problem = missingRight(member);
      if (problem) return { ok: false, ...problem };
      return { ok: true, chatId: found.id, title: found.title ?? String(found.id) };
    },

    async setAccess(merchantUserId, code, access) {
      const [row] = await db
        .update(products)
        .set({
          accessChatId: access.chatId,
          accessChatTitle: access.title,
          accessPeriodSeconds: access.periodSeconds,
          updatedAt: now(),
        })
        // A deleted product stays deleted: nothing is attached to it, as /setcontent and /addkeys refuse too.
        .where(and(eq(products.merchantUserId, merchantUserId), eq(products.code, code), ne(products.state, 'deleted')))
        .returning();
      return row && { ...row, amount: normaliseDecimal(row.amount) };
    },
  };
}
