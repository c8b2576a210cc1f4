import { createHmac, timingSafeEqual } from 'node:crypto';

// SMARTy Pay signs webhooks with hex HMAC-SHA256(API secret, raw body) in `x-sp-digest`
// (the SDK README calls it `x-api-digest`; both are accepted).

export const WEBHOOK_SIGNATURE_HEADERS = ['x-sp-digest', 'x-api-digest'] as const;

export function hmacSha256Hex(secret: string, message: string | Buffer): string {
  return createHmac('sha256', secret).update(message).digest('hex');
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

const HEX_SHA256 = /^[0-9a-f]{64}$/i;

/**
 * Verifies the raw bytes before anything parses them. Constant-time: the SDK's own
 * isValidSignature uses ===, which leaks how many leading characters matched.
 * `header` is what the HTTP layer saw: undefined, a string, or several values when repeated.
 */
export function verifySmartyPaySignature(
  rawBody: Buffer,
  header: string | readonly string[] | undefined,
  secret: string,
): SignatureCheck {
  if (header === undefined) return { ok: false, reason: 'missing signature header' };
  if (typeof header !== 'string') return { ok: false, reason: 'signature header given more than once' };
  const given = header.trim();
  if (given === '') return { ok: false, reason: 'empty signature' };
  if (!HEX_SHA256.test(given)) return { ok: false, reason: 'signature is not 64 hex characters' };
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  const actual = Buffer.from(given, 'hex');
  if (!timingSafeEqual(expected, actual)) return { ok: false, reason: 'signature does not match' };
  return { ok: true };
}

/** Signs an API request the way SMARTy Pay checks it: HMAC(secret, ts + METHOD + path + body). */
export function signApiRequest(secret: string, method: string, path: string, body: string, ts: string): string {
  return hmacSha256Hex(secret, ts + method.toUpperCase() + path + body);
}
