import type { Composer, Filter } from 'grammy';
import { type CallbackAction, type CallbackData, decodeCallbackAction } from '../telegram/callback-data.js';
import type { BotContext } from './context.js';

/** A tap on an inline button that carries callback data. */
export type CallbackContext = Filter<BotContext, 'callback_query:data'>;

/**
 * Handles the taps whose data decodes (src/telegram/callback-data.ts) to `action`, with the decoded fields;
 * every other tap goes on to the next handler. Data the codec did not make reaches no handler.
 */
export function onCallback<A extends CallbackAction>(
  composer: Composer<BotContext>,
  action: A,
  handler: (ctx: CallbackContext, data: CallbackData<A>) => unknown,
): void {
  composer.on('callback_query:data', (ctx, next) => {
    const data = decodeCallbackAction(action, ctx.callbackQuery.data);
    return data ? handler(ctx, data) : next();
  });
}
