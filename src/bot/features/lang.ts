import { Composer } from 'grammy';
import type { ChatSettings } from '../../chats/settings.js';
import { isLocale, pickLocale } from '../../i18n/index.js';
import { escapeHtml } from '../../notify/messages.js';
import type { BotContext } from '../context.js';
import { ensureMerchant } from '../guard.js';
import type { Permissions } from '../permissions.js';
import { replyTo } from '../reply.js';

// /lang en|ru|auto: the chat's language for everything the bot says here, payment messages included.
// In a private chat the user decides; in a group, whoever may manage invoices there.

export function createLangFeature(deps: { chatSettings: ChatSettings; permissions: Permissions }) {
  const composer = new Composer<BotContext>();

  composer.command('lang', async (ctx) => {
    const inReply = replyTo(ctx.msg.message_id);
    const choice = ctx.match.trim().toLowerCase();
    if (choice === '') {
      const chosen = await deps.chatSettings.locale(ctx.chat.id);
      const key = chosen ? 'lang-current' : 'lang-current-auto';
      const language = ctx.t(`lang-name-${chosen ?? pickLocale(ctx.from?.language_code)}`);
      await ctx.reply(ctx.t(key, { language }), {
        reply_parameters: inReply,
      });
      return;
    }
    if (choice !== 'auto' && !isLocale(choice)) {
      await ctx.reply(ctx.t('lang-unknown', { word: escapeHtml(ctx.match.trim()) }), {
        reply_parameters: inReply,
      });
      return;
    }
    if (ctx.chat.type !== 'private' && !(await ensureMerchant(ctx, deps.permissions))) return;
    const locale = isLocale(choice) ? choice : null;
    await deps.chatSettings.setLocale(ctx.chat.id, locale);
    // Answer in the language just chosen.
    ctx.i18n.useLocale(locale ?? pickLocale(ctx.from?.language_code));
    await ctx.reply(ctx.t(locale ? 'lang-set' : 'lang-set-auto'), { reply_parameters: inReply });
    ctx.logger.info({ locale }, 'chat language set');
  });

  return composer;
}
