import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { initDataKey, verifyInitData } from '../../src/miniapp/init-data.js';
import { signInitData, withField } from '../support/init-data.js';

// Telegram's rule (core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app), each test breaking one
// thing of init data signed by another implementation (@telegram-apps/init-data-node).

const TOKEN = '123456:AAbbCCddEEff';
const NOW = new Date('2026-05-01T12:00:00Z');
const USER = { id: 4242, first_name: 'Merchant', language_code: 'ru' };
const check = (raw: string | undefined, now = NOW, maxAgeSeconds = 86_400) =>
  verifyInitData(raw, { botToken: TOKEN, maxAgeSeconds, now });

describe('Mini App init data', () => {
  it('accepts data Telegram signed for this bot and reads the user', () => {
    const result = check(signInitData(TOKEN, USER, new Date(NOW.getTime() - 60_000)));
    expect(result).toEqual({
      ok: true,
      user: { id: 4242, firstName: 'Merchant', username: undefined, languageCode: 'ru' },
      authDate: new Date(NOW.getTime() - 60_000),
    });
  });

  it('derives the key as HMAC-SHA256("WebAppData", token) and hashes the sorted lines without hash', () => {
    const key = createHmac('sha256', 'WebAppData').update(TOKEN).digest();
    expect(initDataKey(TOKEN)).toEqual(key);
    const fields = { auth_date: String(NOW.getTime() / 1000), user: JSON.stringify({ id: 7, first_name: 'B' }) };
    const lines = Object.entries(fields)
      .map(([k, v]) => `${k}=${v}`)
      .sort()
      .join('\n');
    const hash = createHmac('sha256', key).update(lines).digest('hex');
    expect(check(new URLSearchParams({ ...fields, hash }).toString())).toMatchObject({ ok: true, user: { id: 7 } });
  });

  it('refuses missing, forged, tampered, another bot’s, stale and future data', () => {
    const signed = signInitData(TOKEN, USER, NOW);
    expect(check(undefined)).toEqual({ ok: false, reason: 'missing' });
    expect(check('')).toEqual({ ok: false, reason: 'missing' });
    expect(check(withField(signed, 'hash', '0'.repeat(64)))).toEqual({ ok: false, reason: 'bad_hash' });
    expect(check(withField(signed, 'hash', 'not-hex'))).toEqual({ ok: false, reason: 'malformed' });
    expect(check(`${signed}&hash=${'1'.repeat(64)}`)).toEqual({ ok: false, reason: 'malformed' });
    const edited = withField(signed, 'user', JSON.stringify({ ...USER, id: 1 }));
    expect(check(edited)).toEqual({ ok: false, reason: 'bad_hash' });
    expect(check(withField(signed, 'auth_date', String(NOW.getTime() / 1000 + 1)))).toEqual({
      ok: false,
      reason: 'bad_hash',
    });
    expect(check(signInitData('654321:OtherBotToken', USER, NOW))).toEqual({ ok: false, reason: 'bad_hash' });
    const dayAndSecond = new Date(NOW.getTime() - 86_401_000);
    expect(check(signInitData(TOKEN, USER, dayAndSecond))).toEqual({ ok: false, reason: 'expired' });
    expect(check(signInitData(TOKEN, USER, dayAndSecond), NOW, 90_000)).toMatchObject({ ok: true });
    expect(check(signInitData(TOKEN, USER, new Date(NOW.getTime() + 120_000)))).toEqual({
      ok: false,
      reason: 'expired',
    });
  });
});
