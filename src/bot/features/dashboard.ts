import { type Api, Composer } from 'grammy';
import type { Logger } from 'pino';
import type { Lookup } from '../../i18n/index.js';
import type { Permissions } from '../../merchants/permissions.js';
import type { BotContext } from '../context.js';
import { ensureMerchant } from '../guard.js';
import { replyTo } from '../reply.js';

// /dashboard: the merchant dashboard Mini App (src/miniapp/) as a web_app button, in the merchant's private chat.
// Telegram opens a Mini App only from an https URL, so without PUBLIC_URL (or with an http one) the answer says
// what to set instead.

const DASHBOARD_PATH = '/app/';

/** ${PUBLIC_URL}/app/ when Telegram can open it (https), else undefined. */
export function dashboardUrl(publicUrl: string | undefined): string | undefined {
  return publicUrl?.startsWith('https://') ? `${publicUrl}${DASHBOARD_PATH}` : undefined;
}

/**
 * The chat menu button (next to the input field) opens the dashboard in `chatId`, a merchant's private chat. A
 * failure (the merchant never started the bot: "chat not found") is logged; /dashboard still answers.
 */
/**
 * At start: the same, unless the chat's button already opens this dashboard (a restart keeps the language /dashboard
 * set). Reading the button can fail as setting it can ("chat not found"): logged, and start-up goes on.
 */
export async function keepDashboardMenuButton(
  api: Pick<Api, 'getChatMenuButton' | 'setChatMenuButton'>,
  chatId: number,
  url: string,
  t: Lookup,
  logger: Logger,
): Promise<void> {
  let current: Awaited<ReturnType<Api['getChatMenuButton']>>;
  try {
    current = await api.getChatMenuButton({ chat_id: chatId });
  } catch (error) {
    logger.warn({ err: error, chatId }, 'could not read the dashboard menu button');
    return;
  }
  if (current.type === 'web_app' && current.web_app.url === url) return;
  await setDashboardMenuButton(api, chatId, url, t, logger);
}

export async function setDashboardMenuButton(
  api: Pick<Api, 'setChatMenuButton'>,
  chatId: number,
  url: string,
  t: Lookup,
  logger: Logger,
): Promise<void> {
  try {
    await api.setChatMenuButton({
      chat_id: chatId,
      menu_button: { type: 'web_app', text: t('dashboard-menu-button'), web_app: { url } },
    });
  } catch (error) {
    logger.warn({ err: error, chatId }, 'could not set the dashboard menu button');
  }
}

export function createDashboardFeature(deps: { permissions: Permissions; publicUrl: string | undefined }) {
  const composer = new Composer<BotContext>();
  composer.command('dashboard', async (ctx) => {
    if (!(await ensureMerchant(ctx, deps.permissions))) return;
    const inReply = { reply_parameters: replyTo(ctx.msg.message_id) };
    if (ctx.chat.type !== 'private') {
      await ctx.reply(ctx.t('dashboard-private-only', { bot: ctx.me.username }), inReply);
      return;
    }
    const url = dashboardUrl(deps.publicUrl);
    if (!url) {
      const problem = deps.publicUrl ? 'dashboard-needs-https' : 'dashboard-needs-public-url';
      await ctx.reply(ctx.t(problem, { url: deps.publicUrl ?? '' }), inReply);
      return;
    }
    await ctx.reply(ctx.t('dashboard-open'), {
      ...inReply,
      reply_markup: { inline_keyboard: [[{ text: ctx.t('dashboard-button'), web_app: { url } }]] },
    });
    await setDashboardMenuButton(ctx.api, ctx.chat.id, url, ctx.t, ctx.logger);
  });
  return composer;
}
