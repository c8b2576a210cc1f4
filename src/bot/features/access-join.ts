import { Composer } from 'grammy';
import type { AccessGrants } from '../../access/grants.js';
import type { BotContext } from '../context.js';

// Join requests to a chat the bot sells access to: approved only for a user whose paid access to it is active and
// unexpired, declined for anyone else (someone who got the payer's link included). After approval the payer's
// personal link is revoked, so it lets nobody else even ask.

export interface AccessJoinDeps {
  grants: Pick<AccessGrants, 'findActive' | 'markJoined'>;
}

export function createAccessJoinFeature(deps: AccessJoinDeps) {
  const composer = new Composer<BotContext>();

  composer.on('chat_join_request', async (ctx) => {
    const request = ctx.chatJoinRequest;
    const chatId = request.chat.id;
    const userId = request.from.id;
    const grant = await deps.grants.findActive(chatId, userId);
    if (!grant) {
      ctx.logger.info({ chatId, userId, link: request.invite_link?.name }, 'join request declined: no paid access');
      await ctx.api.declineChatJoinRequest(chatId, userId);
      return;
    }
    await ctx.api.approveChatJoinRequest(chatId, userId);
    await deps.grants.markJoined(grant.id);
    ctx.logger.info({ chatId, userId, grantId: grant.id }, 'join request approved');
    if (grant.inviteLink !== null && grant.inviteLinkRevokedAt === null) {
      // Recorded as revoked already (markJoined): a failure here leaves a link only a payer can use to ask.
      await ctx.api.revokeChatInviteLink(chatId, grant.inviteLink).catch((error: unknown) => {
        ctx.logger.warn({ chatId, grantId: grant.id, err: error }, 'could not revoke a used access link');
      });
    }
  });

  return composer;
}
