import type { Api } from 'grammy';
import type { Logger } from 'pino';
import { LOCALES, type Translator } from '../i18n/index.js';

// The command menu Telegram shows next to the input field, in every language we speak.
export const MENU = [
  'pay',
  'status',
  'invoices',
  'cancel',
  'stats',
  'export',
  'newproduct',
  'setcontent',
  'addkeys',
  'keys',
  'products',
  'dashboard',
  'setaccess',
  'members',
  'grant',
  'revoke',
  'purchases',
  'lang',
  'tokens',
  'id',
  'help',
] as const;

/** Publishes the command menu. A failure is logged and never stops the bot: the commands work without it. */
export async function publishCommands(api: Api, translator: Translator, logger: Logger): Promise<void> {
  try {
    for (const locale of LOCALES) {
      const t = translator.forLocale(locale);
      const commands = MENU.map((command) => ({ command, description: t(`menu-${command}`) }));
      // English is also the default for every language without its own menu.
      await api.setMyCommands(commands, locale === 'en' ? {} : { language_code: locale });
    }
  } catch (error) {
    logger.warn({ err: error }, 'could not publish the command menu; commands still work');
  }
}
