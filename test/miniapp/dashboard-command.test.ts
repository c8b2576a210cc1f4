import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardUrl } from '../../src/bot/features/dashboard.js';
import { botCalls, MERCHANT } from '../support/flows.js';
import { type Harness, startHarness } from '../support/harness.js';

// /dashboard where Telegram cannot open the Mini App: no PUBLIC_URL (an http one fares the same, see the reply's
// other branch) — the merchant is told what to set; nobody else gets more than the usual refusal.

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

async function send(chat: { id: number; type: 'private' | 'supergroup' }, from: typeof MERCHANT, text: string) {
  const before = botCalls(h, chat.id).length;
  h.telegram.sendText({ chat, from, text });
  await h.telegram.waitFor(() => botCalls(h, chat.id).length > before);
  return botCalls(h, chat.id).at(-1)?.params;
}

describe('/dashboard without PUBLIC_URL', () => {
  it('explains what to set, in the merchant’s language, and sets no menu button', async () => {
    const chat = { id: MERCHANT.id, type: 'private' as const };
    expect((await send(chat, MERCHANT, '/dashboard'))?.text).toContain('Set <code>PUBLIC_URL</code> to the https://');
    expect((await send(chat, { ...MERCHANT, language_code: 'ru' }, '/dashboard'))?.text).toContain(
      'Укажите в <code>PUBLIC_URL</code>',
    );
    expect(h.telegram.callsOf('setChatMenuButton')).toEqual([]);
  });

  it('sends a merchant in a group to the private chat, and refuses a customer', async () => {
    const group = { id: -100_321, type: 'supergroup' as const };
    expect((await send(group, MERCHANT, '/dashboard'))?.text).toContain('opens in our private chat');
    const customer = { id: 777, first_name: 'Customer', language_code: 'en' };
    const reply = await send({ id: customer.id, type: 'private' }, customer, '/dashboard');
    expect(reply?.reply_markup).toBeUndefined();
    expect(reply?.text).not.toContain('PUBLIC_URL');
  });
});

describe('the dashboard URL', () => {
  it('is PUBLIC_URL/app/ for an https PUBLIC_URL only (Telegram opens no other)', () => {
    expect(dashboardUrl('https://pay.example.com')).toBe('https://pay.example.com/app/');
    expect(dashboardUrl('http://pay.example.com')).toBeUndefined();
    expect(dashboardUrl(undefined)).toBeUndefined();
  });
});
