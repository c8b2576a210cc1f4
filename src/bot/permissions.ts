import type { Api } from 'grammy';
import type { Logger } from 'pino';

// Who may act as the merchant: issue, cancel, list, export, see stats. With MERCHANT_USER_IDS set,
// exactly those users, anywhere. Without it: anyone in a private chat (it is their own shop), and a
// group's administrators in a group (asked from Telegram, cached, so a busy group costs one call per
// few minutes).

/** Telegram's sender for an admin posting anonymously "as the group". */
export const GROUP_ANONYMOUS_BOT_ID = 1_087_968_824;

export interface Actor {
  chatId?: number | undefined;
  chatType?: string | undefined;
  userId?: number | undefined;
  /** Set when a message was sent on behalf of a chat (anonymous admin, linked channel). */
  senderChatId?: number | undefined;
}

export type Refusal = 'not_merchant' | 'not_admin' | 'unknown_user';

export interface Permissions {
  /** Undefined when `actor` may manage invoices in its chat; otherwise why not. */
  refusal(actor: Actor): Promise<Refusal | undefined>;
}

export interface PermissionsDeps {
  api: Api;
  logger: Logger;
  /** MERCHANT_USER_IDS; undefined = the private-chat / group-admin rule. */
  merchantUserIds?: readonly number[] | undefined;
  cacheMs?: number;
  now?: () => number;
}

export function createPermissions(deps: PermissionsDeps): Permissions {
  const cacheMs = deps.cacheMs ?? 5 * 60_000;
  const now = deps.now ?? Date.now;
  const merchants = deps.merchantUserIds ? new Set(deps.merchantUserIds) : undefined;
  const admins = new Map<number, { ids: Promise<Set<number>>; at: number }>();

  function adminsOf(chatId: number): Promise<Set<number>> {
    const cached = admins.get(chatId);
    if (cached && now() - cached.at < cacheMs) return cached.ids;
    const ids = deps.api.getChatAdministrators(chatId).then(
      (members) => new Set(members.map((member) => member.user.id)),
      (error: unknown) => {
        // Fail closed, and do not cache the failure: the next attempt asks Telegram again.
        admins.delete(chatId);
        deps.logger.warn({ err: error, chatId }, 'could not read the chat administrators');
        return new Set<number>();
      },
    );
    admins.set(chatId, { ids, at: now() });
    return ids;
  }

  return {
    async refusal(actor) {
      if (merchants) {
        return actor.userId !== undefined && merchants.has(actor.userId) ? undefined : 'not_merchant';
      }
      if (actor.chatType === 'private' || actor.chatId === undefined) {
        return actor.userId === undefined ? 'unknown_user' : undefined;
      }
      // An anonymous admin writes as the group itself; only admins can do that.
      if (actor.senderChatId !== undefined && actor.senderChatId === actor.chatId) return undefined;
      if (actor.userId === undefined || actor.userId === GROUP_ANONYMOUS_BOT_ID) return 'unknown_user';
      return (await adminsOf(actor.chatId)).has(actor.userId) ? undefined : 'not_admin';
    },
  };
}
