import type { Api } from 'grammy';
import type { AccessGrantRow } from '../db/schema.js';
import type { AccessGrants } from './grants.js';

/**
 * A grant's personal link: it only lets its holder ask to join (creates_join_request; the bot approves the grant's
 * user and declines anyone else, src/bot/features/access-join.ts), it expires with the grant, and it is recorded on
 * the grant so the approval can revoke it. Paid (`Order <invoice>`) and given by /grant (`Grant <id>`) alike.
 */
export async function createJoinLink(
  api: Pick<Api, 'createChatInviteLink'>,
  grants: Pick<AccessGrants, 'setInviteLink'>,
  grant: Pick<AccessGrantRow, 'id' | 'chatId' | 'endsAt'>,
  name: string,
): Promise<string> {
  const created = await api.createChatInviteLink(grant.chatId, {
    name,
    creates_join_request: true,
    ...(grant.endsAt !== null && { expire_date: Math.floor(grant.endsAt.getTime() / 1000) }),
  });
  await grants.setInviteLink(grant.id, created.invite_link);
  return created.invite_link;
}
