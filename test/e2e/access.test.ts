import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { products } from '../../src/db/schema.js';
import type { RecordedCall } from '../support/fake-telegram.js';
import { botCalls, MERCHANT, type TestChat } from '../support/flows.js';
import { type Harness, startHarness } from '../support/harness.js';

// Paid access end to end (issue 16): the merchant points a product at a private channel with /setaccess; the bot
// checks its own rights there first and changes nothing when one is missing.

const CHANNEL = -1009876543210;
const merchantChat: TestChat = { id: MERCHANT.id, type: 'private' };
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ env: { MERCHANT_USER_IDS: `${MERCHANT.id}` } });
  h.telegram.addChat({ id: CHANNEL, type: 'channel', title: 'Club <VIP>', username: 'vipclub' });
});
afterAll(async () => {
  await h?.close();
});

async function say(text: string): Promise<RecordedCall> {
  const before = botCalls(h, MERCHANT.id).length;
  h.telegram.sendText({ chat: merchantChat, from: MERCHANT, text });
  await h.telegram.waitFor(() => botCalls(h, MERCHANT.id).length > before);
  return botCalls(h, MERCHANT.id)[before] as RecordedCall;
}

async function newProduct(): Promise<string> {
  const card = await say('/newproduct 5 bUSDT Club pass');
  const code = /\?start=([A-Za-z0-9_-]+)/.exec(card.params.text)?.[1];
  if (!code) throw new Error(`no product link in ${card.params.text}`);
  return code;
}

const accessOf = async (code: string) => {
  const [row] = await h.db.select().from(products).where(eq(products.code, code));
  return { chatId: row?.accessChatId, title: row?.accessChatTitle, period: row?.accessPeriodSeconds };
};

describe('/setaccess', () => {
  it('refuses until the bot is an administrator with both rights, naming the missing one; nothing changes', async () => {
    const code = await newProduct();
    const none = { chatId: null, title: null, period: null };

    expect((await say(`/setaccess ${code} ${CHANNEL} 30d`)).params.text).toContain('I am not an administrator');
    expect(await accessOf(code)).toEqual(none);

    h.telegram.setMember(CHANNEL, h.telegram.botInfo.id, 'administrator', { can_restrict_members: true });
    const noInvite = (await say(`/setaccess ${code} ${CHANNEL} 30d`)).params.text;
    expect(noInvite).toContain('without the right “Invite users via link”');
    expect(await accessOf(code)).toEqual(none);

    h.telegram.setMember(CHANNEL, h.telegram.botInfo.id, 'administrator', { can_invite_users: true });
    expect((await say(`/setaccess ${code} @vipclub 30d`)).params.text).toContain('without the right “Ban users”');
    expect(await accessOf(code)).toEqual(none);

    expect((await say(`/setaccess ${code} @nosuchchat 30d`)).params.text).toContain('can’t find that chat');
    expect(h.telegram.callsOf('getChatMember').every((c) => c.params.user_id === h.telegram.botInfo.id)).toBe(true);
  });

  it('with both rights sets chat, title and period; the card says "Access to <title> for <period>"', async () => {
    h.telegram.setMember(CHANNEL, h.telegram.botInfo.id, 'administrator', {
      can_invite_users: true,
      can_restrict_members: true,
    });
    const code = await newProduct();
    const answer = (await say(`/setaccess ${code} @vipclub 30d`)).params.text;
    expect(answer).toContain('✅ Buyers of this product now get access to Club &lt;VIP&gt; for 30 days.');
    expect(answer).toContain('Access to Club &lt;VIP&gt; for 30 days');
    expect(answer).not.toContain('/setcontent');
    expect(await accessOf(code)).toEqual({ chatId: CHANNEL, title: 'Club <VIP>', period: 30 * 86_400 });

    expect((await say(`/setaccess ${code} ${CHANNEL}`)).params.text).toContain('for life');
    expect((await accessOf(code)).period).toBeNull();
    expect((await say(`/setaccess ${code} ${CHANNEL} 90m`)).params.text).toContain('for 90 minutes');
  });

  it('explains its usage, a bad chat and a bad period; another merchant’s or unknown code is not found', async () => {
    expect((await say('/setaccess')).params.text).toContain('/setaccess CODE -1001234567890 30d');
    expect((await say('/setaccess abc mychannel')).params.text).toContain('numeric id starting with -100');
    expect((await say('/setaccess abc @vipclub 3w')).params.text).toContain('d, h or m');
    h.telegram.setMember(CHANNEL, h.telegram.botInfo.id, 'creator');
    expect((await say('/setaccess nosuchcode @vipclub 1d')).params.text).toContain('no product with the code');
  });
});
