import type { I18nFlavor } from '@grammyjs/i18n';
import type { Context } from 'grammy';
import type { Logger } from 'pino';

/** grammY context with a child logger that carries the update id, and ctx.t in the chat's language. */
export type BotContext = Context & I18nFlavor & { logger: Logger };
