import { Composer } from 'grammy';
import type { TokenPolicy } from '../../payments/currencies.js';
import type { BotContext } from '../context.js';

export function usageText(tokens: TokenPolicy): string {
  const other = tokens.accepted.find((token) => token !== tokens.defaultToken) ?? tokens.defaultToken;
  return [
    '<b>Take a crypto payment in this chat</b>',
    '<code>/pay &lt;amount&gt; [token] [description]</code>',
    '',
    'Examples:',
    `<code>/pay 12.5</code> (in the default token, ${tokens.defaultToken})`,
    `<code>/pay 0,99 ${other} Coffee and a croissant</code>`,
    '',
    'I reply with a Pay button and confirm here when the payment arrives.',
    `Tokens: ${tokens.accepted.join(', ')} (/tokens)`,
  ].join('\n');
}

export function tokensText(tokens: TokenPolicy): string {
  return [
    '<b>Accepted tokens</b>',
    ...tokens.accepted.map((token) => (token === tokens.defaultToken ? `• ${token} (default)` : `• ${token}`)),
    '',
    `Name one after the amount: <code>/pay 5 ${tokens.accepted[0] ?? ''}</code>`,
  ].join('\n');
}

export function createHelpFeature(deps: { tokens: TokenPolicy }) {
  const composer = new Composer<BotContext>();
  composer.command(['start', 'help'], (ctx) => ctx.reply(usageText(deps.tokens), { parse_mode: 'HTML' }));
  composer.command('tokens', (ctx) => ctx.reply(tokensText(deps.tokens), { parse_mode: 'HTML' }));
  return composer;
}
