import type { Context } from 'grammy';
import type { Logger } from 'pino';

/** grammY context with a child logger that carries the update id. */
export type BotContext = Context & { logger: Logger };
