import type { Api } from 'grammy';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';

// Who may act as the merchant: issue, cancel, list, export, see stats. The users in MERCHANT_USER_IDS,
// anywhere; in the groups of MERCHANT_CHAT_IDS also that group's administrators (asked from Telegram,
// cached, so a busy group costs one call per few minutes). Without MERCHANT_USER_IDS the bot is in setup
// mode: nobody may, and every merchant action answers how to finish the setup.

/** Telegram's sender for an admin posting anonymously "as the group". */
export const GROUP_ANONYMOUS_BOT_ID = 1_087_968_824;

export interface Actor {
  chatId?: number | undefined;
  chatType?: string | undefined;
  userId?: number | undefined;
  /** Set when a message was sent on behalf of a chat (anonymous admin, linked channel). */
  senderChatId?: number | undefined;
}

export type Refusal = 'setup_mode' | 'not_merchant' | 'not_admin' | 'unknown_user';

export interface Permissions {
  /** No merchant is configured: nothing can be issued until MERCHANT_USER_IDS is set. */
  readonly setupMode: boolean;
  /** Undefined when `actor` may manage invoices in its chat; otherwise why not. */
  refusal(actor: Actor): Promise<Refusal | undefined>;
}

export interface PermissionsDeps {
  api: Pick<Api, 'getChatAdministrators'>;
  logger: Logger;
  /** MERCHANT_USER_IDS; undefined or empty = setup mode. */
  merchantUserIds: readonly number[] | undefined;
  /** MERCHANT_CHAT_IDS: groups whose administrators may also act there. */
  merchantChatIds?: readonly number[] | undefined;
  /** How long an admin list is trusted (default 5 minutes). */
  cacheMs?: number;
  /** How many groups' admin lists are kept; the least recently used goes first (default 10 000). */
  cacheMaxChats?: number;
  now?: () => number;
}

export function createPermissions(deps: PermissionsDeps): Permissions {
  const cacheMs = deps.cacheMs ?? 5 * 60_000;
  const now = deps.now ?? Date.now;
  const merchants = new Set(deps.merchantUserIds ?? []);
  merchants.delete(GROUP_ANONYMOUS_BOT_ID); // the shared anonymous sender is nobody in particular
  const merchantChats = new Set(deps.merchantChatIds ?? []);
  const setupMode = merchants.size === 0;
  // Bounded, so a bot added to many groups cannot grow it without end; a list older than cacheMs is asked again.
  const admins = new LRUCache<number, Promise<Set<number>>>({
    max: deps.cacheMaxChats ?? 10_000,
    ttl: cacheMs,
    ttlResolution: 0, // read the clock on every lookup: no timers, and an injected clock is exact
    perf: { now }, // (lru-cache reads a start time of 0 as "no TTL"; only a test clock starts there)
  });

  function adminsOf(chatId: number): Promise<Set<number>> {
    const cached = admins.get(chatId);
    if (cached) return cached;
    const ids: Promise<Set<number>> = deps.api.getChatAdministrators(chatId).then(
      (members) => new Set(members.map((member) => member.user.id)),
      (error: unknown) => {
        // Fail closed, and do not cache the failure: the next attempt asks Telegram again.
        if (admins.peek(chatId) === ids) admins.delete(chatId);
        deps.logger.warn({ err: error, chatId }, 'could not read the chat administrators');
        return new Set<number>();
      },
    );
    admins.set(chatId, ids);
    return ids;
  }

  return {
    setupMode,
    async refusal(actor) {
      if (setupMode) return 'setup_mode';
      if (actor.userId !== undefined && merchants.has(actor.userId)) return undefined;
      if (actor.chatId === undefined || !merchantChats.has(actor.chatId)) return 'not_merchant';
      // An anonymous admin writes as the group itself; only admins can do that.
      if (actor.senderChatId !== undefined && actor.senderChatId === actor.chatId) return undefined;
      if (actor.userId === undefined || actor.userId === GROUP_ANONYMOUS_BOT_ID) return 'unknown_user';
      return (await adminsOf(actor.chatId)).has(actor.userId) ? undefined : 'not_admin';
    },
  };
}
