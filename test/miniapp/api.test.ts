import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessGrants, products } from '../../src/db/schema.js';
import { CONTENT_SECURITY_POLICY } from '../../src/miniapp/page.js';
import { botCalls, MERCHANT, waitForInvoice, waitUntil } from '../support/flows.js';
import { type Harness, sendAndApply, startHarness } from '../support/harness.js';
import { signInitData, withField } from '../support/init-data.js';

// The dashboard's API against the real wiring: init data signed with the bot token as Telegram signs it opens it
// to a merchant (MERCHANT_USER_IDS); everything else is 401 or 403. The answers come from the bot's own services:
// the invoices /pay made, the webhook deliveries SMARTy Pay sent (a repeat shown as a duplicate), the shop.

const CUSTOMER = { id: 777, first_name: 'Customer', language_code: 'en' };
const OTHER_MERCHANT = 5151;
const GROUP = { id: -100_555, type: 'supergroup' as const, title: 'Shop' };
let h: Harness;

const api = (path: string, authorization?: string, init: { method?: string; body?: unknown } = {}) =>
  fetch(`${h.app.url}/app/api/${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(authorization !== undefined && { Authorization: authorization }),
      ...(init.body !== undefined && { 'Content-Type': 'application/json' }),
    },
    ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
  });
const asMerchant = () => `tma ${signInitData(h.config.botToken, MERCHANT)}`;
const merchantApi = async (path: string, init?: { method?: string; body?: unknown }) => {
  const response = await api(path, asMerchant(), init);
  return { status: response.status, body: (await response.json()) as any };
};

/** /pay from the merchant in `chat`, and the invoice once its card is out (several per chat, unlike issueInvoice). */
async function pay(chat: { id: number; type: 'private' | 'supergroup' }, text: string) {
  const before = h.smartypay.createdInvoices().length;
  h.telegram.sendText({ chat, from: MERCHANT, text });
  await waitUntil(() => h.smartypay.createdInvoices().length > before);
  const remote = h.smartypay.createdInvoices()[before];
  if (!remote) throw new Error('no invoice');
  return { remote, row: await waitForInvoice(h, remote.id, (r) => r.cardMessageId !== null) };
}

beforeAll(async () => {
  h = await startHarness({
    env: { PUBLIC_URL: 'https://bot.example.com', MERCHANT_USER_IDS: `${MERCHANT.id},${OTHER_MERCHANT}` },
  });
});
afterAll(async () => {
  await h?.close();
});

describe('dashboard API', () => {
  it('answers 401 JSON to missing, forged, tampered, another bot’s and stale init data, 403 to a customer', async () => {
    const signed = signInitData(h.config.botToken, MERCHANT);
    const refusals: Array<[string | undefined, number, string]> = [
      [undefined, 401, 'missing'],
      ['Bearer x', 401, 'invalid'],
      [`tma ${withField(signed, 'hash', 'a'.repeat(64))}`, 401, 'invalid'],
      [`tma ${signInitData('999999:AnotherBotsTokenAAAA', MERCHANT)}`, 401, 'invalid'],
      [`tma ${withField(signed, 'user', JSON.stringify({ ...CUSTOMER, id: MERCHANT.id + 1 }))}`, 401, 'invalid'],
      [`tma ${signInitData(h.config.botToken, MERCHANT, new Date(Date.now() - 86_401_000))}`, 401, 'expired'],
      [`tma ${signInitData(h.config.botToken, CUSTOMER)}`, 403, 'not_merchant'],
    ];
    for (const [authorization, status, reason] of refusals) {
      const response = await api('stats', authorization);
      expect([authorization, response.status, await response.json()]).toEqual([
        authorization,
        status,
        { error: status === 401 ? 'unauthorized' : 'forbidden', reason },
      ]);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    }
    expect((await api('me', asMerchant())).status).toBe(200);
  });

  it('shows the invoices /pay made, newest first, keyset-paged and filtered, with every webhook delivery', async () => {
    const first = await pay(GROUP, '/pay 5 bUSDT coffee');
    const second = await pay(GROUP, '/pay 7 bUSDT tea');
    const third = await pay({ id: MERCHANT.id, type: 'private' }, '/pay 1 bUSDT');
    expect((await sendAndApply(h, first.remote.id, { status: 'Paid', eventId: 'e1' })).status).toBe(200);
    // The same event twice again: changes nothing, and the dashboard shows it arrived (counted, no row per repeat).
    for (let i = 0; i < 2; i++) {
      const again = await sendAndApply(h, first.remote.id, { status: 'Paid', eventId: 'e1' });
      expect(again.status).toBe(200);
    }
    await waitUntil(async () => (await merchantApi(`invoices/${first.row.id}`)).body.invoice.status === 'Paid');

    const page1 = await merchantApi('invoices?limit=2');
    expect(page1.status).toBe(200);
    expect(page1.body.invoices.map((i: { id: number }) => i.id)).toEqual([third.row.id, second.row.id]);
    const page2 = await merchantApi(`invoices?limit=2&after=${page1.body.next}`);
    expect(page2.body.invoices.map((i: { id: number }) => i.id)).toEqual([first.row.id]);
    expect(page2.body.next).toBeNull();
    const paid = await merchantApi('invoices?status=Paid');
    expect(paid.body.invoices.map((i: { id: number }) => i.id)).toEqual([first.row.id]);
    const inGroup = await merchantApi(`invoices?chat=${GROUP.id}`);
    expect(inGroup.body.invoices.map((i: { id: number }) => i.id)).toEqual([second.row.id, first.row.id]);
    expect((await merchantApi('invoices?status=Nope')).status).toBe(400);
    expect((await merchantApi('chats')).body.chats).toEqual(
      expect.arrayContaining([
        { chatId: GROUP.id, invoices: 2 },
        { chatId: MERCHANT.id, invoices: 1 },
      ]),
    );

    const detail = await merchantApi(`invoices/${first.row.id}`);
    expect(detail.body.invoice).toMatchObject({ amount: '5', token: 'bUSDT', description: 'coffee', chatId: GROUP.id });
    expect(
      detail.body.deliveries.map((d: { status: string; outcome: string; repeats: number }) => [
        d.status,
        d.outcome,
        d.repeats,
      ]),
    ).toEqual([
      ['Paid', 'applied', 1],
      ['Paid', 'duplicate', 2],
    ]);
    await waitUntil(async () =>
      (await merchantApi(`invoices/${first.row.id}`)).body.notifications.some(
        (n: { kind: string; status: string }) => n.kind === 'paid_reply' && n.status === 'sent',
      ),
    );
    expect((await merchantApi(`invoices/${second.row.id}`)).body.deliveries).toEqual([]);
    expect((await merchantApi('invoices/999999')).status).toBe(404);

    const stats = await merchantApi('stats');
    expect(stats.body.day).toMatchObject({
      created: 3,
      paid: 1,
      volume: [{ token: 'bUSDT', received: '5', due: '5' }],
    });
    expect(stats.body.month.created).toBe(3);
    expect(stats.body.daily).toHaveLength(30);
    expect(stats.body.daily.at(-1)).toEqual({ day: new Date().toISOString().slice(0, 10), created: 3, paid: 1 });

    const settings = await merchantApi('settings');
    expect(settings.body).toMatchObject({
      smartyPayWebhookUrl: 'https://bot.example.com/webhooks/smartypay',
      invoiceTtlMinutes: h.config.invoiceTtlMinutes,
      tokens: h.config.tokens,
    });
    expect(Date.parse(settings.body.lastWebhookAt)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('creates, edits, pauses and stocks the merchant’s products through the shop’s rules', async () => {
    const created = await merchantApi('products', {
      method: 'POST',
      body: { title: 'Photo pack', amount: '3,5', token: 'bUSDT' },
    });
    expect(created.status).toBe(201);
    expect(created.body.product).toMatchObject({ title: 'Photo pack', amount: '3.5', token: 'bUSDT', state: 'active' });
    const id = created.body.product.id;
    expect((await merchantApi('products', { method: 'POST', body: { title: 'x', amount: '-1' } })).status).toBe(400);

    const edited = await merchantApi(`products/${id}`, { method: 'PATCH', body: { title: 'Photos', amount: '4' } });
    expect(edited.body.product).toMatchObject({ title: 'Photos', amount: '4' });
    expect(
      (await merchantApi(`products/${id}`, { method: 'PATCH', body: { state: 'paused' } })).body.product.state,
    ).toBe('paused');
    expect((await merchantApi(`products/${id}/keys`, { method: 'POST', body: { keys: 'K1\nK2\nK1' } })).body).toEqual({
      added: 2,
      stock: 2,
    });
    const list = await merchantApi('products');
    expect(list.body.products).toEqual([
      expect.objectContaining({ id, title: 'Photos', state: 'paused', stock: 2, content: 'keys' }),
    ]);

    // Another merchant's session cannot change it, nor sees it.
    const other = `tma ${signInitData(h.config.botToken, { ...MERCHANT, id: OTHER_MERCHANT })}`;
    expect((await api(`products/${id}`, other, { method: 'PATCH', body: { title: 'Mine' } })).status).toBe(404);
    expect(await (await api('products', other)).json()).toMatchObject({ products: [] });
  });

  it('says which products deliver nothing yet by the card’s rule: an access-only product delivers its access', async () => {
    const create = async (title: string) =>
      (await merchantApi('products', { method: 'POST', body: { title, amount: '2' } })).body.product.id as number;
    const bare = await create('Bare');
    const club = await create('Access only');
    await h.db.update(products).set({ accessChatId: -100_999, accessChatTitle: 'VIP' }).where(eq(products.id, club));
    const answer = (await merchantApi('products')).body;
    // No count of all the merchant's products (deleted ones too): the page lists what it gets.
    expect(answer).not.toHaveProperty('total');
    const listed = answer.products as Array<{ id: number; needsContent: boolean }>;
    expect(listed.filter((p) => p.id === bare || p.id === club).map((p) => [p.id, p.needsContent])).toEqual([
      [club, false],
      [bare, true],
    ]);
  });

  it('edits a title by /newproduct’s rules: cleaned to one plain line, and refused when nothing visible is left', async () => {
    const id = (await merchantApi('products', { method: 'POST', body: { title: 'Zine', amount: '1' } })).body.product
      .id;
    for (const title of ['\u200B', ' \u202E ', 'x'.repeat(101)]) {
      expect((await merchantApi(`products/${id}`, { method: 'PATCH', body: { title } })).status).toBe(400);
    }
    const edited = await merchantApi(`products/${id}`, { method: 'PATCH', body: { title: 'a\nb\u200B' } });
    expect(edited.body.product.title).toBe('a b');
    const [row] = await h.db.select().from(products).where(eq(products.id, id));
    expect(row?.title).toBe('a b');
  });

  it('pauses with the state alone, writing nothing else, and answers the row without made-up sales', async () => {
    const id = (await merchantApi('products', { method: 'POST', body: { title: 'Poster', amount: '1' } })).body.product
      .id;
    const longAgo = new Date('2020-01-01T00:00:00Z');
    await h.db.update(products).set({ updatedAt: longAgo }).where(eq(products.id, id));
    const same = await merchantApi(`products/${id}`, { method: 'PATCH', body: { state: 'active' } });
    const [row] = await h.db.select().from(products).where(eq(products.id, id));
    expect(row?.updatedAt).toEqual(longAgo);
    expect(same.body.product).toMatchObject({ id, state: 'active' });
    expect(same.body.product).not.toHaveProperty('sales');
    expect(same.body.product).not.toHaveProperty('revenue');
    expect(same.body.product).not.toHaveProperty('stock');
    expect(
      (await merchantApi(`products/${id}`, { method: 'PATCH', body: { state: 'paused' } })).body.product.state,
    ).toBe('paused');
  });

  it('refuses an id a JS number cannot hold instead of rounding it to another row', async () => {
    const id = (await merchantApi('products', { method: 'POST', body: { title: 'Big', amount: '1' } })).body.product.id;
    // 2^53: "9007199254740993" would round to it.
    await h.db
      .update(products)
      .set({ id: 2 ** 53 })
      .where(eq(products.id, id));
    const tooLarge = '9007199254740993';
    expect((await merchantApi(`products/${tooLarge}`, { method: 'PATCH', body: { title: 'Taken' } })).status).toBe(400);
    expect((await merchantApi(`products/${tooLarge}/keys`, { method: 'POST', body: { keys: 'K' } })).status).toBe(404);
    expect((await merchantApi(`invoices/${tooLarge}`)).status).toBe(404);
    expect((await merchantApi(`invoices?chat=-${tooLarge}`)).status).toBe(400);
    const [row] = await h.db
      .select()
      .from(products)
      .where(eq(products.id, 2 ** 53));
    expect(row).toMatchObject({ title: 'Big', content: null });
  });

  it('lists members of paid access as active, lapsing and removed, and revokes as /revoke does', async () => {
    const created = await merchantApi('products', {
      method: 'POST',
      body: { title: 'Club', amount: '9', token: 'bUSDT' },
    });
    const productId = created.body.product.id;
    await h.db
      .update(products)
      .set({ accessChatId: -100_777, accessChatTitle: 'Club chat' })
      .where(eq(products.id, productId));
    const hours = (n: number) => new Date(Date.now() + n * 3_600_000);
    await h.db.insert(accessGrants).values([
      { productId, userId: 11, chatId: -100_777, endsAt: hours(24 * 20) },
      { productId, userId: 12, chatId: -100_777, endsAt: hours(5) },
      { productId, userId: 13, chatId: -100_777, endsAt: hours(-48), state: 'removed', removedAt: hours(-47) },
    ]);
    // A second product with paid access: its members are listed too, under it (one query for both).
    const second = (await merchantApi('products', { method: 'POST', body: { title: 'Club 2', amount: '5' } })).body
      .product.id;
    await h.db
      .update(products)
      .set({ accessChatId: -100_778, accessChatTitle: 'Club chat 2' })
      .where(eq(products.id, second));
    await h.db.insert(accessGrants).values({ productId: second, userId: 21, chatId: -100_778, endsAt: null });
    const listed = (await merchantApi('members')).body.members as Array<{ userId: number; productId: number }>;
    expect(listed.filter((m) => m.userId === 21).map((m) => m.productId)).toEqual([second]);
    expect(
      listed
        .filter((m) => m.productId === productId)
        .map((m) => m.userId)
        .sort(),
    ).toEqual([11, 12, 13]);
    const standings = async () =>
      Object.fromEntries(
        (await merchantApi('members')).body.members
          .filter((m: { productId: number }) => m.productId === productId)
          .map((m: { userId: number; standing: string }) => [m.userId, m.standing]),
      );
    expect(await standings()).toEqual({ 11: 'active', 12: 'lapsing', 13: 'removed' });
    // As /revoke: ended and removed now (the bot is an administrator of the chat; user 11 is a member there).
    h.telegram.addChat({ id: -100_777, type: 'supergroup', title: 'Club chat' });
    h.telegram.setMember(-100_777, h.telegram.botInfo.id, 'administrator', {
      can_invite_users: true,
      can_restrict_members: true,
    });
    h.telegram.setMember(-100_777, 11, 'member');
    expect((await merchantApi('members/revoke', { method: 'POST', body: { productId, userId: 11 } })).body).toEqual({
      revoked: true,
      removal: 'removed',
    });
    expect(await standings()).toEqual({ 11: 'removed', 12: 'lapsing', 13: 'removed' });
    expect(h.telegram.calls.filter((c) => c.method === 'banChatMember').map((c) => c.params.user_id)).toEqual([11]);
    expect((await merchantApi('members/revoke', { method: 'POST', body: { productId, userId: 11 } })).body).toEqual({
      revoked: false,
    });
    const other = `tma ${signInitData(h.config.botToken, { ...MERCHANT, id: OTHER_MERCHANT })}`;
    const foreign = await api('members/revoke', other, { method: 'POST', body: { productId, userId: 12 } });
    expect(foreign.status).toBe(404);
  });

  it('serves the page at /app/ under a strict Content-Security-Policy, with nothing from elsewhere', async () => {
    const page = await fetch(`${h.app.url}/app/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("connect-src 'self'");
    const html = await page.text();
    expect(html).toContain('src="app.js"');
    expect(html).not.toMatch(/https?:\/\//);
    expect((await fetch(`${h.app.url}/app/app.js`)).headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${h.app.url}/app`, { redirect: 'manual' })).headers.get('location')).toBe('/app/');
  });
});

describe('/dashboard', () => {
  it('answers a merchant with a web_app button to PUBLIC_URL/app/ and sets their menu button', async () => {
    const chat = { id: MERCHANT.id, type: 'private' as const };
    // At start every merchant's private chat got the menu button.
    const menuCalls = () => botCalls(h, MERCHANT.id, 'setChatMenuButton');
    expect(botCalls(h, OTHER_MERCHANT, 'setChatMenuButton')).toHaveLength(1);
    expect(menuCalls()[0]?.params).toMatchObject({
      chat_id: MERCHANT.id,
      menu_button: { type: 'web_app', text: 'Dashboard', web_app: { url: 'https://bot.example.com/app/' } },
    });
    const before = botCalls(h, chat.id).length;
    h.telegram.sendText({ chat, from: { ...MERCHANT, language_code: 'ru' }, text: '/dashboard' });
    await h.telegram.waitFor(() => botCalls(h, chat.id).length > before);
    const reply = botCalls(h, chat.id).at(-1);
    expect(reply?.params.reply_markup.inline_keyboard[0][0]).toEqual({
      text: 'Открыть панель',
      web_app: { url: 'https://bot.example.com/app/' },
    });
    await h.telegram.waitFor(() => menuCalls().length === 2);
    expect(h.telegram.menuButton(MERCHANT.id)).toEqual({
      type: 'web_app',
      text: 'Панель',
      web_app: { url: 'https://bot.example.com/app/' },
    });
    // A restart leaves a button that already opens the dashboard as it is (in the merchant's language).
    await h.restart();
    expect(menuCalls()).toHaveLength(2);
    expect(h.telegram.menuButton(MERCHANT.id)).toMatchObject({ text: 'Панель' });
  });

  it('starts even when Telegram will not show a merchant’s menu button ("chat not found"), and sets the others', async () => {
    h.telegram.failNext('getChatMenuButton', { status: 400, description: 'Bad Request: chat not found' });
    const others = () => botCalls(h, OTHER_MERCHANT, 'setChatMenuButton').length;
    await h.telegram.waitFor(() => true);
    await h.restart();
    expect(h.logs.find('could not read the dashboard menu button')).toHaveLength(1);
    expect(h.telegram.menuButton(OTHER_MERCHANT)).toMatchObject({ type: 'web_app' });
    expect(others()).toBeGreaterThanOrEqual(1);
  });
});
