import { sign } from '@telegram-apps/init-data-node';

// Mini App init data signed as Telegram signs it, by @telegram-apps/init-data-node: an implementation other than
// the one under test (src/miniapp/init-data.ts), so a shared misreading of Telegram's rule would not pass unseen.
// Used by the dashboard's tests and the sandbox's Dashboard button.

export interface InitDataUserFields {
  id: number;
  first_name: string;
  username?: string;
  language_code?: string;
}

export function signInitData(botToken: string, user: InitDataUserFields, authDate = new Date()): string {
  return sign(
    { user, query_id: `AAH${user.id}`, chat_type: 'sender' } as Parameters<typeof sign>[0],
    botToken,
    authDate,
  );
}

/** The same init data with one field changed after signing (a tampered session). */
export function withField(initData: string, key: string, value: string): string {
  const params = new URLSearchParams(initData);
  params.set(key, value);
  return params.toString();
}
