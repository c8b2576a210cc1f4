import { Composer } from 'grammy';
import { ALL_TOKENS } from '../../payments/currencies.js';
import type { BotContext } from '../context.js';

export function usageText(defaultToken: string): string {
  return [
    '<b>Take a crypto payment in this chat</b>',
    '<code>/pay &lt;amount&gt; [token] [description]</code>',
    '',
    'Examples:',
    `<code>/pay 12.5</code> (in the default token, ${defaultToken})`,
    '<code>/pay 0,99 pUSDC Coffee and a croissant</code>',
    '',
    'I reply with a Pay button and confirm here when the payment arrives.',
    `Tokens: ${ALL_TOKENS.join(', ')}`,
  ].join('\n');
}

export function createHelpFeature(deps: { defaultToken: string }) {
  const composer = new Composer<BotContext>();
  composer.command(['start', 'help'], (ctx) => ctx.reply(usageText(deps.defaultToken), { parse_mode: 'HTML' }));
  return composer;
}
