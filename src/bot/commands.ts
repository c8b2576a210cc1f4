import type { Api } from 'grammy';
import type { Logger } from 'pino';

// The command menu Telegram shows next to the input field, in English and Russian.
const COMMANDS = {
  en: [
    { command: 'pay', description: 'Create a crypto invoice: /pay 12.5 bUSDT coffee' },
    { command: 'tokens', description: 'Tokens this bot accepts' },
    { command: 'help', description: 'How to take payments' },
  ],
  ru: [
    { command: 'pay', description: 'Выставить счёт в криптовалюте: /pay 12.5 bUSDT кофе' },
    { command: 'tokens', description: 'Какие токены принимаются' },
    { command: 'help', description: 'Как принимать платежи' },
  ],
} as const;

/** Publishes the command menu. A failure is logged and never stops the bot: the commands work without it. */
export async function publishCommands(api: Api, logger: Logger): Promise<void> {
  try {
    await api.setMyCommands([...COMMANDS.en]);
    await api.setMyCommands([...COMMANDS.ru], { language_code: 'ru' });
  } catch (error) {
    logger.warn({ err: error }, 'could not publish the command menu; commands still work');
  }
}
