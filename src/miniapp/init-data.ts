import { createHmac, timingSafeEqual } from 'node:crypto';

// Telegram's Mini App init data, checked as https://core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app
// says: the secret key is HMAC-SHA256 of the bot token keyed with "WebAppData"; the hash is the hex HMAC-SHA256,
// under that key, of every other field as `key=value`, sorted, joined by "\n". Compared in constant time (the
// well-known @telegram-apps/init-data-node compares with !==, so it is used only by the tests, to sign).

export interface InitDataUser {
  id: number;
  firstName: string;
  username: string | undefined;
  languageCode: string | undefined;
}

export type InitDataCheck =
  | { ok: true; user: InitDataUser; authDate: Date }
  | { ok: false; reason: 'missing' | 'malformed' | 'bad_hash' | 'expired' | 'no_user' };

const HASH = /^[0-9a-f]{64}$/;

/** The secret key a bot's init data is signed with. */
export function initDataKey(botToken: string): Buffer {
  return createHmac('sha256', 'WebAppData').update(botToken).digest();
}

export function verifyInitData(
  raw: string | undefined,
  opts: { botToken: string; maxAgeSeconds: number; now: Date },
): InitDataCheck {
  if (!raw) return { ok: false, reason: 'missing' };
  if (raw.length > 8192) return { ok: false, reason: 'malformed' };
  const params = new URLSearchParams(raw);
  const hashes = params.getAll('hash');
  const hash = hashes[0];
  if (hashes.length !== 1 || hash === undefined || !HASH.test(hash)) return { ok: false, reason: 'malformed' };
  const lines: string[] = [];
  for (const [key, value] of params) if (key !== 'hash') lines.push(`${key}=${value}`);
  lines.sort();
  const expected = createHmac('sha256', initDataKey(opts.botToken)).update(lines.join('\n')).digest();
  if (!timingSafeEqual(expected, Buffer.from(hash, 'hex'))) return { ok: false, reason: 'bad_hash' };

  // Signed: now its fields can be believed.
  const authSeconds = Number(params.get('auth_date'));
  if (!Number.isInteger(authSeconds) || authSeconds <= 0) return { ok: false, reason: 'malformed' };
  const ageSeconds = opts.now.getTime() / 1000 - authSeconds;
  // A minute of clock skew into the future is tolerated, no more.
  if (ageSeconds > opts.maxAgeSeconds || ageSeconds < -60) return { ok: false, reason: 'expired' };
  const user = parseUser(params.get('user'));
  if (!user) return { ok: false, reason: 'no_user' };
  return { ok: true, user, authDate: new Date(authSeconds * 1000) };
}

function parseUser(json: string | null): InitDataUser | undefined {
  if (!json) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const user = value as Record<string, unknown>;
  if (typeof user.id !== 'number' || !Number.isSafeInteger(user.id) || user.id <= 0) return undefined;
  return {
    id: user.id,
    firstName: typeof user.first_name === 'string' ? user.first_name : '',
    username: typeof user.username === 'string' ? user.username : undefined,
    languageCode: typeof user.language_code === 'string' ? user.language_code : undefined,
  };
}
