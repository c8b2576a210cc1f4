import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessGrants, outbox, products } from '../../src/db/schema.js';
import { createTestClock } from '../support/clock.js';
import type { RecordedCall } from '../support/fake-telegram.js';
import { botCalls, MERCHANT, openProductLink, type TestChat, waitForInvoice } from '../support/flows.js';
import { type Harness, sendAndApply, settle, startHarness } from '../support/harness.js';

// Paid access end to end (issue 16): the merchant points a product at a private channel with /setaccess; the bot
// checks its own rights there first and changes nothing when one is missing.

const CHANNEL = -1009876543210;
const merchantChat: TestChat = { id: MERCHANT.id, type: 'private' };
let h: Harness;
const clock = createTestClock();
let nextBuyer = 80_000;

beforeAll(async () => {
  h = await startHarness({ env: { MERCHANT_USER_IDS: `${MERCHANT.id}` }, now: clock.now });
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

it('long polling asks Telegram for join requests', async () => {
  await h.telegram.waitFor(() => h.telegram.callsOf('getUpdates').length > 0);
  expect(h.telegram.callsOf('getUpdates').at(-1)?.params.allowed_updates).toContain('chat_join_request');
});

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

  it('a deleted product is not given access: /setaccess says there is no such product and changes nothing', async () => {
    h.telegram.setMember(CHANNEL, h.telegram.botInfo.id, 'administrator', {
      can_invite_users: true,
      can_restrict_members: true,
    });
    const code = await newProduct();
    await h.db.update(products).set({ state: 'deleted' }).where(eq(products.code, code));
    expect((await say(`/setaccess ${code} @vipclub 30d`)).params.text).not.toContain('✅');
    const [row] = await h.db.select().from(products).where(eq(products.code, code));
    expect(row?.accessChatId).toBeNull();
  });

  it('with both rights sets chat, title and period; the card says "Access to <title> for <period>"', async () => {
    h.telegram.setMember(CHANNEL, h.telegram.botInfo.id, 'administrator', {
      can_invite_users: true,
      can_restrict_members: true,
    });
    const code = await newProduct();
    const answer = (await say(`/setaccess ${code} @vipclub 30d`)).params.text;
    expect(answer).toContain('✅ Buyers of this product now get access to Club &lt;VIP&gt; for 30 days.');
    expect(answer).toContain('Price: <b>5 bUSDT</b>\nAccess to Club &lt;VIP&gt; for 30 days\nState: on sale');
    expect(answer).not.toContain('Delivers');
    expect(answer).not.toContain('/setcontent');
    expect(await accessOf(code)).toEqual({ chatId: CHANNEL, title: 'Club <VIP>', period: 30 * 86_400 });

    expect((await say(`/setaccess ${code} ${CHANNEL}`)).params.text).toContain('for life');
    expect((await accessOf(code)).period).toBeNull();
    expect((await say(`/setaccess ${code} ${CHANNEL} 90m`)).params.text).toContain('for 90 minutes');
  });

  it('inline mode (@bot <code>, the card’s Share) offers a product that only grants access', async () => {
    botIsAdmin();
    const code = await newProduct();
    await say(`/setaccess ${code} @vipclub 30d`);
    const id = h.telegram.inlineQuery({ from: MERCHANT, query: code });
    await h.telegram.waitFor(() => h.telegram.inlineResults(id) !== undefined);
    const [result, ...more] = h.telegram.inlineResults(id) ?? [];
    expect(more).toEqual([]);
    expect(result?.id).toBe(`product:${code}`);
    expect(result?.reply_markup.inline_keyboard[0][0]).toEqual({
      text: '🛒 Buy',
      url: `https://t.me/test_bot?start=${code}`,
    });
  });

  it('/setaccess <code> alone offers Choose channel / Choose group; the picked chat is checked and set', async () => {
    const code = await newProduct();
    h.telegram.setMember(CHANNEL, h.telegram.botInfo.id, 'administrator', { can_invite_users: true });
    const offer = await say(`/setaccess ${code}`);
    const [channel, group] = offer.params.reply_markup?.keyboard?.[0] ?? [];
    expect(channel).toMatchObject({
      text: 'Choose channel',
      request_chat: { chat_is_channel: true, bot_is_member: true },
    });
    expect(group).toMatchObject({ text: 'Choose group', request_chat: { chat_is_channel: false } });

    const share = async () => {
      const before = botCalls(h, MERCHANT.id).length;
      h.telegram.pushUpdate({
        message: {
          message_id: 700_000 + before,
          date: Math.floor(Date.now() / 1000),
          chat: { id: MERCHANT.id, type: 'private', first_name: 'Merchant' },
          from: { id: MERCHANT.id, is_bot: false, first_name: 'Merchant' },
          chat_shared: { request_id: channel.request_chat.request_id, chat_id: CHANNEL, title: 'Club <VIP>' },
        },
      });
      await h.telegram.waitFor(() => botCalls(h, MERCHANT.id).length > before);
      return botCalls(h, MERCHANT.id)[before] as RecordedCall;
    };
    const refused = await share();
    expect(refused.params.text).toContain('without the right “Ban users”');
    expect(refused.params.reply_markup).toEqual({ remove_keyboard: true });
    expect((await accessOf(code)).chatId).toBeNull();

    botIsAdmin();
    expect((await share()).params.text).toContain('now get access to Club &lt;VIP&gt; for life');
    expect(await accessOf(code)).toEqual({ chatId: CHANNEL, title: 'Club <VIP>', period: null });
  });

  it('explains its usage, a bad chat and a bad period; another merchant’s or unknown code is not found', async () => {
    expect((await say('/setaccess')).params.text).toContain('/setaccess CODE -1001234567890 30d');
    expect((await say('/setaccess abc mychannel')).params.text).toContain('numeric id starting with -100');
    expect((await say('/setaccess abc @vipclub 3w')).params.text).toContain('d, h or m');
    h.telegram.setMember(CHANNEL, h.telegram.botInfo.id, 'creator');
    expect((await say('/setaccess nosuchcode @vipclub 1d')).params.text).toContain('no product with the code');
  });
});

const DAY = 86_400_000;
const botIsAdmin = () =>
  h.telegram.setMember(CHANNEL, h.telegram.botInfo.id, 'administrator', {
    can_invite_users: true,
    can_restrict_members: true,
  });

/** A product of MERCHANT's selling `period` of access to CHANNEL, and nothing else. */
async function accessProduct(period = '30d'): Promise<string> {
  botIsAdmin();
  const code = await newProduct();
  expect((await say(`/setaccess ${code} ${CHANNEL} ${period}`)).params.text).toContain('✅');
  return code;
}

function newBuyer() {
  nextBuyer += 1;
  const buyer = { id: nextBuyer, first_name: 'Ann', language_code: 'en' };
  return { buyer, chat: { id: buyer.id, type: 'private' as const } };
}

/** The buyer opens the link and pays; resolves once the outbox has sent everything. */
async function buyAndPay(code: string, who = newBuyer()) {
  const { remote, row } = await openProductLink(h, code, who);
  const body = h.smartypay.webhookBody(remote.id, { status: 'Paid', eventId: `evt-access-${remote.id}` });
  h.smartypay.setStatus(remote.id, 'Paid');
  // The same signed body each time: a repeated delivery of one event.
  const post = () => sendAndApply(h, remote.id, { body });
  expect((await post()).status).toBe(200);
  await settle(h.app);
  return { ...who, row, post };
}

const grantOf = async (userId: number) => {
  const [grant] = await h.db
    .select()
    .from(accessGrants)
    .where(and(eq(accessGrants.userId, userId), eq(accessGrants.chatId, CHANNEL)));
  return grant;
};
const accessMessages = (chatId: number) => botCalls(h, chatId).filter((c) => c.params.text.startsWith('🔑'));

/** Someone asks to join CHANNEL (through `link`, if given) and the bot answers. */
async function askToJoin(userId: number, link?: string) {
  const before = h.telegram.joinRequests(CHANNEL).filter((r) => r.outcome !== 'pending').length;
  h.telegram.requestJoin({ chatId: CHANNEL, from: { id: userId }, ...(link && { inviteLink: link }) });
  await h.telegram.waitFor(
    () => h.telegram.joinRequests(CHANNEL).filter((r) => r.outcome !== 'pending').length > before,
  );
  return h.telegram
    .joinRequests(CHANNEL)
    .filter((r) => r.userId === userId)
    .at(-1)?.outcome;
}

describe('after payment', () => {
  it('the buyer gets a personal join-request link once; they are let in, a stranger with it is not', async () => {
    const code = await accessProduct('30d');
    const { buyer, row, post } = await buyAndPay(code);

    const [invite, ...more] = accessMessages(buyer.id);
    expect(more).toEqual([]);
    const button = invite?.params.reply_markup?.inline_keyboard?.[0]?.[0];
    expect(button?.text).toBe('Join Club <VIP>');
    const [link, ...otherLinks] = h.telegram.inviteLinks(CHANNEL).filter((l) => l.name === `Order ${row.id}`);
    expect(otherLinks).toEqual([]);
    expect(link).toMatchObject({ creates_join_request: true, is_revoked: false, invite_link: button?.url });
    expect(link?.member_limit).toBeUndefined();
    const grant = await grantOf(buyer.id);
    expect(grant?.endsAt?.getTime()).toBe(clock.now().getTime() + 30 * DAY);
    expect(link?.expire_date).toBe(Math.floor((grant?.endsAt?.getTime() ?? 0) / 1000));
    // An access-only product has no content: no delivery row is queued for it (only to be skipped).
    const kinds = (await h.db.select().from(outbox).where(eq(outbox.invoiceId, row.id))).map((r) => r.kind).sort();
    expect(kinds).toEqual(['access_invite', 'card_paid', 'new_card', 'paid_reply', 'sale_notice']);

    // The same event again and a restart: no second link, no second message, no second extension.
    await h.restart();
    expect((await post()).status).toBe(200);
    await settle(h.app);
    expect(accessMessages(buyer.id)).toHaveLength(1);
    expect((await grantOf(buyer.id))?.endsAt).toEqual(grant?.endsAt);

    const stranger = 99_001;
    expect(await askToJoin(stranger, link?.invite_link)).toBe('declined');
    expect(h.telegram.memberStatus(CHANNEL, stranger)).toBe('left');
    expect(await askToJoin(buyer.id, link?.invite_link)).toBe('approved');
    expect(h.telegram.memberStatus(CHANNEL, buyer.id)).toBe('member');
    await h.telegram.waitFor(() => h.telegram.callsOf('revokeChatInviteLink').length > 0);
    expect(h.telegram.inviteLinks(CHANNEL).find((l) => l.invite_link === link?.invite_link)?.is_revoked).toBe(true);
    expect((await grantOf(buyer.id))?.joinedAt).not.toBeNull();
  });

  it('paying again extends from the current end (stacking); a member is told the new end, no new link', async () => {
    const code = await accessProduct('30d');
    const who = newBuyer();
    await buyAndPay(code, who);
    const first = (await grantOf(who.buyer.id))?.endsAt?.getTime() ?? 0;
    const [link] = h.telegram.inviteLinks(CHANNEL).slice(-1);
    expect(await askToJoin(who.buyer.id, link?.invite_link)).toBe('approved');

    clock.advance(5 * DAY);
    const linksBefore = h.telegram.inviteLinks(CHANNEL).length;
    await buyAndPay(code, who);
    expect((await grantOf(who.buyer.id))?.endsAt?.getTime()).toBe(first + 30 * DAY);
    expect(h.telegram.inviteLinks(CHANNEL)).toHaveLength(linksBefore);
    const [, extended] = accessMessages(who.buyer.id);
    expect(extended?.params.text).toContain('is extended, until');
    expect(extended?.params.reply_markup).toBeUndefined();
  });

  it('a join request after the access ended is declined', async () => {
    const code = await accessProduct('2m');
    const { buyer } = await buyAndPay(code);
    const [link] = h.telegram.inviteLinks(CHANNEL).slice(-1);
    clock.advance(3 * 60_000);
    expect(await askToJoin(buyer.id, link?.invite_link)).toBe('declined');
  });
});

describe('when access ends', () => {
  /** A reconciler tick, then the outbox sends what it queued (the removal messages). */
  const tick = async () => {
    await h.app.workers.reconciler.tick();
    await settle(h.app);
  };
  const removalsOf = (userId: number, method: string) =>
    h.telegram.callsOf(method).filter((c) => c.params.chat_id === CHANNEL && c.params.user_id === userId);
  const endedMessages = (userId: number) => botCalls(h, userId).filter((c) => c.params.text.startsWith('⌛'));

  async function joinedBuyer(code: string) {
    const who = await buyAndPay(code);
    const [link] = h.telegram.inviteLinks(CHANNEL).slice(-1);
    expect(await askToJoin(who.buyer.id, link?.invite_link)).toBe('approved');
    return who;
  }

  it('a 2-minute period lapses within a tick or two: ban, then unban only_if_banned, told once with Buy again', async () => {
    const code = await accessProduct('2m');
    const { buyer } = await joinedBuyer(code);
    clock.advance(60_000);
    await tick();
    expect(h.telegram.memberStatus(CHANNEL, buyer.id)).toBe('member');

    clock.advance(61_000);
    await tick();
    expect(h.telegram.memberStatus(CHANNEL, buyer.id)).toBe('left');
    expect(removalsOf(buyer.id, 'banChatMember')).toHaveLength(1);
    const [unban, ...moreUnbans] = removalsOf(buyer.id, 'unbanChatMember');
    expect(moreUnbans).toEqual([]);
    expect(unban?.params.only_if_banned).toBe(true);
    const [ended, ...moreEnded] = endedMessages(buyer.id);
    expect(moreEnded).toEqual([]);
    expect(ended?.params.text).toContain('Your access to Club &lt;VIP&gt; has ended');
    expect(ended?.params.reply_markup?.inline_keyboard?.[0]?.[0]).toEqual({
      text: 'Buy again',
      url: `https://t.me/test_bot?start=${code}`,
    });
    expect((await grantOf(buyer.id))?.state).toBe('removed');

    clock.advance(10 * 60_000);
    await Promise.all([tick(), tick()]);
    expect(removalsOf(buyer.id, 'banChatMember')).toHaveLength(1);
    expect(endedMessages(buyer.id)).toHaveLength(1);
  });

  it('removes exactly once across a failure and a restart in between, and two ticks racing', async () => {
    const code = await accessProduct('2m');
    const { buyer } = await joinedBuyer(code);
    clock.advance(3 * 60_000);
    // The ban lands, the unban fails (Telegram 500): the grant stays claimed and is retried after a backoff.
    h.telegram.failNext('unbanChatMember', { status: 500, description: 'Internal Server Error' });
    await tick();
    expect(h.telegram.memberStatus(CHANNEL, buyer.id)).toBe('kicked');
    expect((await grantOf(buyer.id))?.state).toBe('removing');

    await h.restart();
    clock.advance(60_000);
    await Promise.all([tick(), tick()]);
    expect(h.telegram.memberStatus(CHANNEL, buyer.id)).toBe('left');
    expect(removalsOf(buyer.id, 'banChatMember')).toHaveLength(1);
    expect(removalsOf(buyer.id, 'unbanChatMember')).toHaveLength(2);
    expect(endedMessages(buyer.id)).toHaveLength(1);
    expect((await grantOf(buyer.id))?.state).toBe('removed');
  });

  it('the merchant is told once when the bot lost its rights, however many wait; removals resume with the rights', async () => {
    const code = await accessProduct('2m');
    const first = await joinedBuyer(code);
    const second = await joinedBuyer(code);
    const warnings = () => botCalls(h, MERCHANT.id).filter((c) => c.params.text.startsWith('⚠️'));
    const before = warnings().length;
    // Demoted: still an administrator, no longer allowed to ban.
    h.telegram.setMember(CHANNEL, h.telegram.botInfo.id, 'administrator', { can_invite_users: true });
    clock.advance(3 * 60_000);
    await Promise.all([h.app.workers.reconciler.tick(), h.app.workers.reconciler.tick()]);
    await settle(h.app);
    const [warning, ...more] = warnings().slice(before);
    expect(more).toEqual([]);
    expect(warning?.params.text).toContain('I can no longer remove members whose access ended from Club &lt;VIP&gt;');
    expect(h.telegram.memberStatus(CHANNEL, first.buyer.id)).toBe('member');
    expect((await grantOf(second.buyer.id))?.state).toBe('removing');

    // An hour later the bot still lacks the right: both are tried again, the merchant is not told again.
    clock.advance(61 * 60_000);
    await tick();
    expect(warnings().slice(before)).toHaveLength(1);
    expect(h.telegram.memberStatus(CHANNEL, second.buyer.id)).toBe('member');

    botIsAdmin();
    clock.advance(61 * 60_000);
    await tick();
    for (const { buyer } of [first, second]) {
      expect(h.telegram.memberStatus(CHANNEL, buyer.id)).toBe('left');
      expect(endedMessages(buyer.id)).toHaveLength(1);
      expect((await grantOf(buyer.id))?.state).toBe('removed');
    }
    expect(warnings().slice(before)).toHaveLength(1);
  });

  it('never removes a chat administrator or owner; a renewal before the end keeps the member', async () => {
    const code = await accessProduct('2m');
    const admin = await joinedBuyer(code);
    h.telegram.setMember(CHANNEL, admin.buyer.id, 'administrator');
    const renewing = await joinedBuyer(code);
    await buyAndPay(code, renewing);
    clock.advance(3 * 60_000);
    await tick();
    expect(removalsOf(admin.buyer.id, 'banChatMember')).toEqual([]);
    expect(h.telegram.memberStatus(CHANNEL, admin.buyer.id)).toBe('administrator');
    expect(removalsOf(renewing.buyer.id, 'banChatMember')).toEqual([]);
    expect(h.telegram.memberStatus(CHANNEL, renewing.buyer.id)).toBe('member');

    clock.advance(2 * 60_000);
    await tick();
    expect(removalsOf(renewing.buyer.id, 'banChatMember')).toHaveLength(1);

    // Metrics: removals and renewals so far in this file, and the members still active per product.
    const text = await (await fetch(h.app.metricsUrl)).text();
    expect(text).toMatch(/^access_removals_total [1-9]\d*$/m);
    expect(text).toMatch(/^access_renewals_total [1-9]\d*$/m);
    expect(text).toContain('# TYPE access_active_members gauge');
  });
});

describe('merchant tools', () => {
  it('/grant gives access with a personal link, /members lists it, /revoke removes them at once (no tick)', async () => {
    const code = await accessProduct('30d');
    const user = 95_001;
    const granted = (await say(`/grant ${code} ${user} 7d`)).params.text;
    expect(granted).toContain(`User <code>${user}</code> has access to Club &lt;VIP&gt;, until`);
    const link = /https:\/\/t\.me\/\+\S+/.exec(granted)?.[0];
    expect(h.telegram.inviteLinks(CHANNEL).find((l) => l.invite_link === link)?.creates_join_request).toBe(true);
    expect((await grantOf(user))?.endsAt?.getTime()).toBe(clock.now().getTime() + 7 * DAY);
    expect(await askToJoin(user, link)).toBe('approved');

    const members = (await say(`/members ${code}`)).params.text;
    expect(members).toContain(`<code>${user}</code> · until`);
    expect(members).toContain('active');

    // Out before the answer, with the clock standing still: neither the grace nor a sweep is waited for.
    expect((await say(`/revoke ${code} ${user}`)).params.text).toContain('has ended and I removed them');
    expect(h.telegram.memberStatus(CHANNEL, user)).toBe('left');
    const bans = h.telegram.callsOf('banChatMember').filter((c) => c.params.user_id === user);
    expect(bans).toHaveLength(1);
    await settle(h.app);
    expect(botCalls(h, user).filter((c) => c.params.text.startsWith('⌛'))).toHaveLength(1);
    expect((await say(`/members ${code}`)).params.text).toContain('removed');
    expect((await say(`/revoke ${code} ${user}`)).params.text).toContain('no active access');
    // A sweep later finds nothing more to do.
    await h.app.workers.reconciler.tick();
    expect(h.telegram.callsOf('banChatMember').filter((c) => c.params.user_id === user)).toHaveLength(1);
  });

  it('/revoke at once still never removes an administrator (the grace is bypassed: test/notify/access-lapse.test.ts)', async () => {
    const code = await accessProduct('30d');
    const admin = 95_002;
    await say(`/grant ${code} ${admin} 7d`);
    h.telegram.setMember(CHANNEL, admin, 'administrator');
    expect((await say(`/revoke ${code} ${admin}`)).params.text).toContain('They stay in the chat');
    expect(h.telegram.memberStatus(CHANNEL, admin)).toBe('administrator');
    expect(h.telegram.callsOf('banChatMember').filter((c) => c.params.user_id === admin)).toEqual([]);
    expect((await grantOf(admin))?.state).toBe('removed');
  });

  it('refuse a product without access and explain their usage', async () => {
    const plain = await newProduct();
    expect((await say(`/members ${plain}`)).params.text).toContain('grants no access yet');
    expect((await say('/grant')).params.text).toContain('/grant CODE 123456789 30d');
    const code = await accessProduct('30d');
    expect((await say(`/grant ${code} 12 3w`)).params.text).toContain(`/grant ${code} 123456789 30d`);
    expect((await say(`/revoke ${code}`)).params.text).toContain(`/revoke ${code} 123456789`);
  });
});

describe('renewal reminders', () => {
  const reminders = (userId: number) => botCalls(h, userId).filter((c) => c.params.text.startsWith('⏳'));
  const tick = async () => {
    await h.app.workers.reconciler.tick();
    await settle(h.app);
  };
  const payButtonOf = (call: RecordedCall | undefined) => call?.params.reply_markup?.inline_keyboard?.[0]?.[0];
  /** SMARTy Pay invoices made for this buyer's chat since `before` (other buyers' grants get reminders too). */
  const createdFor = (userId: number, before: number) =>
    h.smartypay
      .createdInvoices()
      .slice(before)
      .filter((i) => JSON.parse(i.metadata ?? '{}').chatId === userId);

  it('3 days and 1 day before the end, each once however many ticks race, each with a renewal invoice', async () => {
    const code = await accessProduct('30d');
    const { buyer } = await buyAndPay(code);
    clock.advance(26 * DAY);
    await tick();
    expect(reminders(buyer.id)).toHaveLength(0);
    clock.advance(DAY + 60_000); // 3 days minus a minute left
    const before = h.smartypay.createdInvoices().length;
    await Promise.all([h.app.workers.reconciler.tick(), h.app.workers.reconciler.tick()]);
    await settle(h.app);
    const [first, ...more] = reminders(buyer.id);
    expect(more).toEqual([]);
    expect(first?.params.text).toContain('Your access to Club &lt;VIP&gt; ends');
    // A real invoice, issued for the product and bound to the buyer, whose card follows in their chat.
    const [remote, ...others] = createdFor(buyer.id, before);
    expect(others).toEqual([]);
    const renewal = await waitForInvoice(h, remote?.id ?? '', (r) => r.cardMessageId !== null);
    expect(renewal).toMatchObject({ issuedByUserId: buyer.id, notifyChatId: buyer.id, token: 'bUSDT' });
    expect(first?.params.text).toContain(`#${renewal.id}`);
    expect(payButtonOf(first)).toEqual({ text: '💳 Pay 5 bUSDT', url: renewal.checkoutUrl });

    clock.advance(2 * DAY);
    await tick();
    await tick();
    expect(reminders(buyer.id)).toHaveLength(2);
    // The first invoice expired meanwhile (INVOICE_TTL_MINUTES): the second reminder has a fresh one.
    expect(createdFor(buyer.id, before)).toHaveLength(2);
  });

  it('a repeated send reuses the open invoice (no second SMARTy Pay invoice); paying it extends from the end', async () => {
    const code = await accessProduct('30d');
    const { buyer } = await buyAndPay(code);
    const [link] = h.telegram.inviteLinks(CHANNEL).slice(-1);
    expect(await askToJoin(buyer.id, link?.invite_link)).toBe('approved');
    const end = (await grantOf(buyer.id))?.endsAt?.getTime() ?? 0;
    clock.advance(27 * DAY + 60_000);
    const before = h.smartypay.createdInvoices().length;
    await tick();
    // As if the lease had lapsed after Telegram took the message (a crash, another replica): the row runs again.
    await h.db
      .update(outbox)
      .set({ status: 'pending', nextAttemptAt: clock.now() })
      .where(and(eq(outbox.kind, 'access_renewal'), eq(outbox.chatId, buyer.id)));
    await h.restart();
    await settle(h.app);
    const [first, again] = reminders(buyer.id);
    expect(payButtonOf(again)).toEqual(payButtonOf(first));
    const [remote, ...others] = createdFor(buyer.id, before);
    expect(others).toEqual([]);
    if (!remote) throw new Error('no renewal invoice');

    clock.advance(DAY);
    h.smartypay.setStatus(remote.id, 'Paid');
    const post = () => sendAndApply(h, remote.id, { status: 'Paid', eventId: `evt-renew-${remote.id}` });
    expect((await post()).status).toBe(200);
    await settle(h.app);
    expect((await grantOf(buyer.id))?.endsAt?.getTime()).toBe(end + 30 * DAY);
    const extended = botCalls(h, buyer.id)
      .filter((c) => c.params.text.startsWith('🔑'))
      .at(-1);
    expect(extended?.params.text).toContain('is extended, until');
    // The 1-day reminder of the old end never comes: the end moved, a new round starts 3 days before the new one.
    clock.advance(2 * DAY);
    await tick();
    expect(reminders(buyer.id)).toHaveLength(2);
  });

  it('a paused product’s reminder says when it ends, without an invoice', async () => {
    const code = await accessProduct('30d');
    const { buyer } = await buyAndPay(code);
    await h.db.update(products).set({ state: 'paused' }).where(eq(products.code, code));
    const before = h.smartypay.createdInvoices().length;
    clock.advance(27 * DAY + 60_000);
    await tick();
    const [reminder] = reminders(buyer.id);
    expect(reminder?.params.text).toContain('not on sale now');
    expect(reminder?.params.reply_markup).toBeUndefined();
    expect(createdFor(buyer.id, before)).toEqual([]);
  });

  it('a period under a day is reminded once, halfway through its last quarter', async () => {
    const code = await accessProduct('8h');
    const { buyer } = await buyAndPay(code);
    clock.advance(6 * 3_600_000 + 59 * 60_000);
    await tick();
    expect(reminders(buyer.id)).toHaveLength(0);
    clock.advance(2 * 60_000);
    await tick();
    await tick();
    expect(reminders(buyer.id)).toHaveLength(1);
  });
});
