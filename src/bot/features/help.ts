import { Composer } from 'grammy';
import type { Lookup } from '../../i18n/index.js';
import type { TokenPolicy } from '../../payments/currencies.js';
import type { BotContext } from '../context.js';

export function usageText(t: Lookup, tokens: TokenPolicy): string {
  const other = tokens.accepted.find((token) => token !== tokens.defaultToken) ?? tokens.defaultToken;
  return t('help-usage', { defaultToken: tokens.defaultToken, otherToken: other, tokens: tokens.accepted.join(', ') });
}

/** /start and /help: how to take a payment, then every other command. */
export function guideText(t: Lookup, tokens: TokenPolicy, botUsername: string): string {
  return `${usageText(t, tokens)}\n\n${t('help-commands', { bot: botUsername, defaultToken: tokens.defaultToken })}`;
}

export function tokensText(t: Lookup, tokens: TokenPolicy): string {
  return [
    t('tokens-title'),
    ...tokens.accepted.map((token) =>
      t(token === tokens.defaultToken ? 'tokens-item-default' : 'tokens-item', { token }),
    ),
    '',
    t('tokens-hint', { token: tokens.accepted[0] ?? '' }),
  ].join('\n');
}

export function createHelpFeature(deps: { tokens: TokenPolicy; setupMode: boolean }) {
  const composer = new Composer<BotContext>();
  composer.command(['start', 'help'], (ctx) => {
    const guide = guideText(ctx.t, deps.tokens, ctx.me.username);
    // Setup mode: the operator reads first how to name the merchant, then what the bot will do.
    const text = deps.setupMode ? `${ctx.t('help-setup')}\n\n${guide}` : guide;
    return ctx.reply(text);
  });
  composer.command('tokens', (ctx) => ctx.reply(tokensText(ctx.t, deps.tokens)));
  return composer;
}
