import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessageView } from '../../sandbox/chat.js';
import { type Sandbox, startSandbox } from '../../sandbox/sandbox.js';
import { createPgliteDatabase, type TestDatabase } from '../support/database.js';
import { waitUntil } from '../support/flows.js';
import { NO_CHAT_PACING } from '../support/harness.js';

// The sandbox through its own HTTP API, the way the page uses it: the whole flow is covered here
// even where no browser is installed.

let sandbox: Sandbox;
let database: TestDatabase;

interface State {
  messages: ChatMessageView[];
  deliveries: Array<{ invoiceId: string; status: string; httpStatus: number | null }>;
  outbox: Array<{ kind: string; status: string }>;
  invoices: Array<{ smartyPayId: string; status: string }>;
  clock: { offsetMs: number };
  chat: { key: string; type: string };
  chats: Array<{ key: string; type: string; id: number; count: number }>;
}

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: await response.json().catch(() => undefined) };
}

const state = async (chat = 'group'): Promise<State> => (await call('GET', `/api/state?chat=${chat}`)).json;

/** Posts /pay as the merchant and returns the card and its invoice id from the Pay button's URL. */
async function issue(text: string): Promise<{ card: ChatMessageView; invoiceId: string }> {
  const posted = await call('POST', '/api/messages', { user: 'merchant', text });
  expect(posted.status).toBe(201);
  let card: ChatMessageView | undefined;
  await waitUntil(
    async () => {
      card = (await state()).messages.find((m) => m.reply_to_message_id === posted.json.message_id);
      return card !== undefined;
    },
    10_000,
    'the invoice card',
  );
  const url = (card?.reply_markup as any)?.inline_keyboard?.[0]?.[0]?.url as string;
  expect(url.startsWith(`${sandbox.url}/checkout?`)).toBe(true);
  return { card: card as ChatMessageView, invoiceId: new URL(url).searchParams.get('invoice-id') ?? '' };
}

async function waitForText(pattern: RegExp, what: string): Promise<ChatMessageView> {
  let found: ChatMessageView | undefined;
  await waitUntil(
    async () => {
      found = (await state()).messages.find((m) => pattern.test(m.text));
      return found !== undefined;
    },
    15_000,
    what,
  );
  return found as ChatMessageView;
}

beforeAll(async () => {
  // A copy of the migrated template (no initdb per file) and no per-chat pacing, as in every harness test.
  database = createPgliteDatabase();
  sandbox = await startSandbox({ port: 0, logLevel: 'silent', dataDir: database.dataDir, env: NO_CHAT_PACING });
});
afterAll(async () => {
  await sandbox?.stop();
  await database?.drop();
});

describe('sandbox HTTP API', () => {
  it('serves the page and sends the checkout link to it', async () => {
    const page = await fetch(`${sandbox.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script src="app.js"');
    const redirect = await fetch(`${sandbox.url}/checkout?invoice-id=abc`, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe('/#checkout=abc');
  });

  it('issues an invoice, pays it in full with a signed webhook and shows the confirmation and the paid card', async () => {
    const { card, invoiceId } = await issue('/pay 5 bUSDT coffee');
    expect(card.text).toContain('<b>5 bUSDT</b>');
    expect((await call('GET', `/api/checkout/${invoiceId}`)).json).toMatchObject({ amount: '5', token: 'bUSDT' });

    const paid = await call('POST', `/api/checkout/${invoiceId}/pay`);
    expect(paid.json).toMatchObject({ status: 'Paid', httpStatus: 200 });
    await waitForText(/Payment received: <b>5 bUSDT<\/b> for <i>“coffee”<\/i>/, 'the confirmation');
    await waitUntil(
      async () => {
        const edited = (await state()).messages.find((m) => m.message_id === card.message_id);
        return edited?.edited === true && edited.text.includes('Paid') && edited.reply_markup === undefined;
      },
      10_000,
      'the card edited to Paid',
    );

    const after = await state();
    expect(after.deliveries[0]).toMatchObject({ invoiceId, status: 'Paid', httpStatus: 200 });
    expect(after.invoices.find((i) => i.smartyPayId === invoiceId)?.status).toBe('Paid');
    expect(after.outbox.map((row) => `${row.kind}:${row.status}`).sort()).toEqual([
      'card_paid:sent',
      'new_card:sent',
      'paid_reply:sent',
    ]);
  });

  it('recovers a lost webhook once the clock passes the next re-check', async () => {
    const { invoiceId } = await issue('/pay 2 bUSDT tea');
    const lost = await call('POST', `/api/checkout/${invoiceId}/lose-webhook`);
    expect(lost.json).toMatchObject({ status: 'Paid', httpStatus: null });
    expect((await state()).invoices.find((i) => i.smartyPayId === invoiceId)?.status).toBe('Created');

    const advanced = await call('POST', '/api/clock/advance', { minutes: 5 });
    expect(advanced.json.offsetMs).toBeGreaterThanOrEqual(5 * 60_000);
    await waitForText(/Payment received: <b>2 bUSDT<\/b> for <i>“tea”<\/i>/, 'the recovered confirmation');
  });

  it('reports partial payments and expiry', async () => {
    const { invoiceId: under } = await issue('/pay 3 bUSDT cake');
    expect((await call('POST', `/api/checkout/${under}/pay-less`)).json).toMatchObject({
      status: 'UnderPaid',
      paidAmount: '1.5',
      httpStatus: 200,
    });
    await waitForText(/Partly paid for <i>“cake”<\/i>: <b>1.5 bUSDT<\/b> of/, 'the partial payment reply');

    const { card, invoiceId: late } = await issue('/pay 4 bUSDT bun');
    expect((await call('POST', `/api/checkout/${late}/expire`)).json.expiredAt).toBeTypeOf('string');
    await waitUntil(
      async () => {
        const edited = (await state()).messages.find((m) => m.message_id === card.message_id);
        return edited?.text.includes('Expired') === true;
      },
      10_000,
      'the card edited to Expired',
    );
  });

  it("shows the merchant's private chat with /export's CSV in it, and the customer's with the bot's answers", async () => {
    const before = await state();
    expect(before.chats.map((c) => `${c.key}:${c.type}`)).toEqual([
      'group:supergroup',
      'merchant:private',
      'customer:private',
      'shopper:private',
    ]);
    // A private chat's id is its person's user id, as in Telegram.
    const merchantChat = before.chats.find((c) => c.key === 'merchant');
    expect(sandbox.chats.chats.merchant.id).toBe(merchantChat?.id);

    await call('POST', '/api/messages', { user: 'merchant', text: '/export' });
    await waitForText(/I sent you the CSV in a private chat/, 'the group reply to /export');
    let file: ChatMessageView | undefined;
    await waitUntil(
      async () => {
        file = (await state('merchant')).messages.find((m) => m.document !== undefined);
        return file !== undefined;
      },
      10_000,
      "the CSV in the merchant's private chat",
    );
    expect(file?.text).toContain('Invoices of Coffee Corner');
    expect(file?.document?.fileName).toMatch(/^invoices-.*\.csv$/);
    expect((await state('customer')).messages.some((m) => m.document)).toBe(false);
    expect((await state()).chats.find((c) => c.key === 'merchant')?.count).toBe(1);

    const download = await fetch(`${sandbox.url}/api/chats/merchant/documents/${file?.message_id}`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toContain(file?.document?.fileName);
    const bytes = Buffer.from(await download.arrayBuffer());
    const csv = bytes.toString('utf8');
    expect(csv.split('\n')[0]).toContain('status');
    expect(csv).toContain('coffee');
    expect(bytes.length).toBe(file?.document?.bytes);
    expect((await call('GET', `/api/chats/customer/documents/${file?.message_id}`)).status).toBe(404);

    const posted = await call('POST', '/api/messages', { chat: 'customer', user: 'customer', text: '/help' });
    expect(posted.status).toBe(201);
    await waitUntil(
      async () => (await state('customer')).messages.some((m) => m.from.bot && m.text.includes('/pay')),
      10_000,
      "the bot's answer in the customer's private chat",
    );
    expect((await state('customer')).chat).toMatchObject({ key: 'customer', type: 'private' });
    expect((await call('POST', '/api/messages', { chat: 'merchant', user: 'customer', text: 'hi' })).status).toBe(400);
  });

  it('sells in the shop: the merchant makes a product, the second customer opens its link, pays, receives it', async () => {
    const merchant = { chat: 'merchant', user: 'merchant' };
    await call('POST', '/api/messages', { ...merchant, text: '/newproduct 3 bUSDT Photo pack' });
    let code = '';
    await waitUntil(
      async () => {
        const card = (await state('merchant')).messages.find((m) => m.from.bot && m.text.includes('?start='));
        code = /\?start=([A-Za-z0-9_-]+)/.exec(card?.text ?? '')?.[1] ?? '';
        return code !== '';
      },
      10_000,
      'the product card',
    );
    const goods = await call('POST', '/api/messages', { ...merchant, text: 'Thanks! <Here> is your pack' });
    await call('POST', '/api/messages', { ...merchant, text: `/setcontent ${code}`, replyTo: goods.json.message_id });
    await waitUntil(
      async () => (await state('merchant')).messages.some((m) => m.text.includes('now get a copy')),
      10_000,
      'the content confirmation',
    );

    await call('POST', '/api/messages', { chat: 'shopper', user: 'shopper', text: `/start ${code}` });
    let url = '';
    await waitUntil(
      async () => {
        const card = (await state('shopper')).messages.find((m) => (m.reply_markup as any)?.inline_keyboard);
        url = (card?.reply_markup as any)?.inline_keyboard?.[0]?.[0]?.url ?? '';
        return url !== '';
      },
      10_000,
      "the second customer's invoice card",
    );
    const invoiceId = new URL(url).searchParams.get('invoice-id') ?? '';
    expect((await call('POST', `/api/checkout/${invoiceId}/pay`)).status).toBe(200);
    await waitUntil(
      async () => (await state('shopper')).messages.some((m) => m.text === 'Thanks! <Here> is your pack' && !m.html),
      15_000,
      'the delivered copy',
    );
    await waitUntil(
      async () => (await state('merchant')).messages.some((m) => m.text.includes('Sale:')),
      10_000,
      'the sale notice',
    );
  });

  it('sells access to its private channel: the buyer asks to join, is let in, and is removed after the end', async () => {
    const merchant = { chat: 'merchant', user: 'merchant' };
    await call('POST', '/api/messages', { ...merchant, text: '/newproduct 2 bUSDT VIP pass' });
    let code = '';
    await waitUntil(
      async () => {
        const card = (await state('merchant')).messages.find(
          (m) => m.text.includes('VIP pass') && m.text.includes('?start='),
        );
        code = /\?start=([A-Za-z0-9_-]+)/.exec(card?.text ?? '')?.[1] ?? '';
        return code !== '';
      },
      10_000,
      'the product card',
    );
    const channel = (await call('GET', '/api/state')).json.channel;
    expect(channel).toMatchObject({ id: sandbox.channel.id, title: 'VIP Club', members: [], events: [] });
    await call('POST', '/api/messages', { ...merchant, text: `/setaccess ${code} ${channel.id} 2m` });
    await waitUntil(
      async () => (await state('merchant')).messages.some((m) => m.text.includes('now get access to VIP Club')),
      10_000,
      'the access confirmation',
    );

    await call('POST', '/api/messages', { chat: 'shopper', user: 'shopper', text: `/start ${code}` });
    const button = async (pattern: RegExp) => {
      for (const m of (await state('shopper')).messages) {
        const found = (m.reply_markup as any)?.inline_keyboard?.flat().find((b: any) => pattern.test(b.text));
        if (found) return found as { text: string; url: string };
      }
      return undefined;
    };
    /** The button once it is there. */
    const waitForButton = async (pattern: RegExp, what: string) => {
      await waitUntil(async () => (await button(pattern)) !== undefined, 15_000, what);
      return (await button(pattern)) as { text: string; url: string };
    };
    const pay = await waitForButton(/Pay 2 bUSDT/, 'the invoice card');
    const invoiceId = new URL(pay.url).searchParams.get('invoice-id') ?? '';
    expect((await call('POST', `/api/checkout/${invoiceId}/pay`)).status).toBe(200);
    const join = await waitForButton(/^Join VIP Club$/, 'the Join button');

    expect((await call('POST', '/api/channel/join', { user: 'shopper', inviteLink: join.url })).status).toBe(202);
    const channelNow = async () => (await call('GET', '/api/state')).json.channel;
    await waitUntil(
      async () => (await channelNow()).members.some((m: any) => m.who === 'Second customer' && m.status === 'member'),
      10_000,
      'the buyer in the channel',
    );
    expect((await channelNow()).events.map((e: any) => e.what)).toEqual(['approved', 'asked to join']);
    // The link served once and is revoked: it lets nobody else ask.
    await waitUntil(() => sandbox.telegram.inviteLinks(channel.id).every((l) => l.is_revoked), 10_000, 'the revoke');
    expect((await call('POST', '/api/channel/join', { user: 'customer', inviteLink: join.url })).status).toBe(400);

    expect((await call('POST', '/api/clock/advance', { minutes: 3 })).status).toBe(200);
    await waitUntil(async () => (await channelNow()).members.length === 0, 10_000, 'the removal');
    expect((await channelNow()).events.map((e: any) => e.what).slice(0, 2)).toEqual(['unbanned', 'banned']);
    await waitUntil(
      async () => (await state('shopper')).messages.some((m) => m.text.includes('Your access to VIP Club has ended')),
      10_000,
      'the removal message',
    );
  });

  it('answers 400 to bad input', async () => {
    expect((await call('POST', '/api/messages', { user: 'someone', text: 'hi' })).status).toBe(400);
    expect((await call('POST', '/api/checkout/no-such-invoice/pay')).status).toBe(400);
    expect((await call('POST', '/api/checkout/x/refund')).status).toBe(400);
    expect((await call('POST', '/api/callback', { user: 'merchant', messageId: 1, data: 'x' })).status).toBe(400);
    expect((await call('GET', '/api/state?chat=elsewhere')).status).toBe(400);
    expect(
      (await call('POST', '/api/channel/join', { user: 'shopper', inviteLink: 'https://evil.example' })).status,
    ).toBe(400);
  });
});
