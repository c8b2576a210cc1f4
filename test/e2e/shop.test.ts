import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoices, outbox, productKeys, products } from '../../src/db/schema.js';
import type { RecordedCall } from '../support/fake-telegram.js';
import { botCalls, MERCHANT, openProductLink, type TestChat, waitForInvoice } from '../support/flows.js';
import { type Harness, sendAndApply, settle, startHarness } from '../support/harness.js';

// The shop end to end (issue 15): a merchant makes a product in their private chat and sets what it delivers by
// replying to a message; a customer opens its link, gets the offer and an invoice bound to them (made like /pay's),
// pays, and receives a copy of the content once; the merchant gets a sale notice. One app for the file: every test
// uses its own product and buyer, so they do not interfere.

const OTHER_MERCHANT = { id: 5151, first_name: 'Other', language_code: 'en' };
const STRANGER = { id: 6161, first_name: 'Stranger', language_code: 'en' };
const merchantChat: TestChat = { id: MERCHANT.id, type: 'private' };
let h: Harness;
let nextBuyer = 70_000;

function newBuyer(language_code = 'en') {
  nextBuyer += 1;
  const buyer = { id: nextBuyer, first_name: 'Ann', last_name: 'Lee', username: `ann${nextBuyer}`, language_code };
  return { buyer, chat: { id: buyer.id, type: 'private' as const } };
}

beforeAll(async () => {
  h = await startHarness({ env: { MERCHANT_USER_IDS: `${MERCHANT.id},${OTHER_MERCHANT.id}` } });
});
afterAll(async () => {
  await h?.close();
});

/** The bot's answers in a chat: its messages there except sale notices, which the outbox sends whenever. */
const answersIn = (chatId: number) => botCalls(h, chatId).filter((call) => !call.params.text.startsWith('💰'));

/** Sends `text` in `chat` and returns the bot's next answer there. */
async function say(chat: TestChat, text: string, from: { id: number } = MERCHANT): Promise<RecordedCall> {
  const before = answersIn(chat.id).length;
  h.telegram.sendText({ chat, from, text });
  await h.telegram.waitFor(() => answersIn(chat.id).length > before);
  return answersIn(chat.id)[before] as RecordedCall;
}

/** `/setcontent <code>` as a reply to `original` (a message of the merchant's, with a photo, text, …). */
async function setContent(code: string, original: Record<string, unknown>, from = MERCHANT): Promise<RecordedCall> {
  const before = botCalls(h, from.id).length;
  const date = Math.floor(Date.now() / 1000);
  const chat = { id: from.id, type: 'private', first_name: from.first_name };
  const sender = { id: from.id, is_bot: false, first_name: from.first_name };
  const text = `/setcontent ${code}`;
  h.telegram.pushUpdate({
    message: {
      message_id: 500_000 + botCalls(h, from.id).length,
      date,
      chat,
      from: sender,
      text,
      entities: [{ type: 'bot_command', offset: 0, length: '/setcontent'.length }],
      reply_to_message: { message_id: 400_000 + before, date, chat, from: sender, ...original },
    },
  });
  await h.telegram.waitFor(() => botCalls(h, from.id).length > before);
  return botCalls(h, from.id)[before] as RecordedCall;
}

/** A product of MERCHANT's, with content; returns its code. */
async function newProduct(text: string, content?: Record<string, unknown>): Promise<string> {
  const card = await say(merchantChat, `/newproduct ${text}`);
  const code = /\?start=([A-Za-z0-9_-]+)/.exec(card.params.text)?.[1];
  if (!code) throw new Error(`no product link in ${card.params.text}`);
  if (content) await setContent(code, content);
  return code;
}

const PHOTO = {
  photo: [
    { file_id: 'photo-small', file_unique_id: 's', width: 90, height: 90 },
    { file_id: 'photo-large', file_unique_id: 'l', width: 1280, height: 1280 },
  ],
  caption: 'Your pack <3 & thanks',
  caption_entities: [{ type: 'bold', offset: 0, length: 9 }],
};

const openLink = (code: string, who = newBuyer()) => openProductLink(h, code, who);

const deliveries = (chatId: number) => [
  ...h.telegram.media().filter((m) => m.chatId === chatId),
  ...botCalls(h, chatId).filter((call) => call.params.entities !== undefined),
];
const notices = () => botCalls(h, MERCHANT.id).filter((call) => call.params.text.startsWith('💰'));

describe('the merchant makes products', () => {
  it('/newproduct answers with the card and link; refusals are one line naming /newproduct', async () => {
    const card = await say(merchantChat, '/newproduct 12,5 bUSDT Photo <pack>');
    const [row] = await h.db.select().from(products).where(eq(products.merchantUserId, MERCHANT.id));
    expect(row).toMatchObject({ title: 'Photo <pack>', token: 'bUSDT', state: 'active', content: null });
    expect(row?.code).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(card.params.text).toContain('🛍 <b>Photo &lt;pack&gt;</b>');
    expect(card.params.text).toContain('Price: <b>12.5 bUSDT</b>');
    expect(card.params.text).toContain('Delivers: nothing yet');
    expect(card.params.text).toContain(`Link: https://t.me/test_bot?start=${row?.code}`);
    expect(card.params.text).toContain(`<code>/setcontent ${row?.code}</code>`);

    expect((await say(merchantChat, '/newproduct 5 bUSDT')).params.text).toBe(
      'Add a title after the amount — e.g. <code>/newproduct 5 bUSDT Photo pack</code>',
    );
    expect((await say(merchantChat, '/newproduct abc Photo')).params.text).toBe(
      '“abc” is not an amount — e.g. <code>/newproduct 2.5 bUSDT coffee</code>',
    );
    expect((await say(merchantChat, `/newproduct 5 ${'x'.repeat(101)}`)).params.text).toContain('at most 100');
  });

  it('/setcontent keeps a photo (largest size, caption, entities) or text; refuses what it cannot deliver', async () => {
    const code = await newProduct('3 bUSDT Wallpapers');
    const done = await setContent(code, PHOTO);
    expect(done.params.text).toContain('✅ Buyers of this product now get a copy of that message.');
    expect(done.params.text).toContain('Delivers: a photo');
    const [row] = await h.db.select().from(products).where(eq(products.code, code));
    expect(row?.content).toEqual({
      type: 'photo',
      fileId: 'photo-large',
      caption: PHOTO.caption,
      captionEntities: PHOTO.caption_entities,
    });

    const sticker = { sticker: { file_id: 'st', file_unique_id: 'st', type: 'regular', width: 1, height: 1 } };
    expect((await setContent(code, sticker)).params.text).toContain('I can deliver text, a photo');
    expect((await say(merchantChat, `/setcontent ${code}`)).params.text).toContain('Reply to the message');
    expect((await setContent('nosuchcode', { text: 'x' })).params.text).toContain('no product with the code');
  });
});

describe('only merchants, and only their own products', () => {
  it('a non-merchant can neither create, change nor list products', async () => {
    const code = await newProduct('4 bUSDT Private', { text: 'secret' });
    const strangerChat: TestChat = { id: STRANGER.id, type: 'private' };
    for (const command of ['/newproduct 5 bUSDT Mine', '/products', `/setcontent ${code}`]) {
      expect((await say(strangerChat, command, STRANGER)).params.text, command).toBe(
        "Sorry, only this shop's merchants can do that.",
      );
    }
    expect(await h.db.select().from(products).where(eq(products.merchantUserId, STRANGER.id))).toHaveLength(0);
    const [row] = await h.db.select().from(products).where(eq(products.code, code));
    expect(row?.content).toEqual({ type: 'text', text: 'secret', entities: [] });
  });

  it("another merchant cannot see or change this merchant's products", async () => {
    const code = await newProduct('4 bUSDT Mine only', { text: 'mine' });
    const otherChat: TestChat = { id: OTHER_MERCHANT.id, type: 'private' };
    expect((await say(otherChat, '/products', OTHER_MERCHANT)).params.text).toContain('You have no products yet');
    const refused = await setContent(code, { text: 'hijacked' }, OTHER_MERCHANT);
    expect(refused.params.text).toContain('no product with the code');
    const [row] = await h.db.select().from(products).where(eq(products.code, code));
    expect(row?.content).toMatchObject({ text: 'mine' });
  });

  it('product commands are for the private chat', async () => {
    const group: TestChat = { id: -100_900_001, type: 'supergroup', title: 'Shop' };
    expect((await say(group, '/newproduct 5 bUSDT In a group')).params.text).toContain('private chat');
  });
});

describe('a customer buys through the link', () => {
  it('gets the offer and an invoice bound to them; opening the link again shows the same invoice', async () => {
    const code = await newProduct('2.5 bUSDT Photo pack', PHOTO);
    const { chat, buyer, message, remote, row } = await openLink(code);
    const [offer, card] = botCalls(h, chat.id);
    expect(offer?.params.text).toContain('🛍 <b>Photo pack</b>');
    expect(offer?.params.text).toContain('Price: <b>2.5 bUSDT</b>');
    expect(card?.params.reply_parameters.message_id).toBe(message.message_id);
    expect(card?.params.reply_markup.inline_keyboard[0][0].url).toContain(`invoice-id=${remote.id}`);
    expect(remote).toMatchObject({ amount: '2.5', token: 'bUSDT' });
    expect(JSON.parse(remote.metadata ?? '{}')).toEqual({ chatId: chat.id, messageId: message.message_id });
    expect(row).toMatchObject({
      issuedByUserId: buyer.id,
      chatId: chat.id,
      description: 'Photo pack',
      buyerName: 'Ann Lee',
      buyerUsername: buyer.username,
    });

    const created = h.smartypay.createdInvoices().length;
    const again = await say(chat, `/start ${code}`, buyer);
    expect(again.params.text).toContain(`Your invoice #${row.id} for this product is still open`);
    expect(again.params.reply_parameters.message_id).toBe(row.cardMessageId);
    expect(again.params.reply_markup.inline_keyboard[0][0].url).toBe(row.checkoutUrl);
    expect(h.smartypay.createdInvoices()).toHaveLength(created);
  });

  it('an open invoice past its expiry is expired when the link is opened again, and a fresh one is made', async () => {
    const code = await newProduct('2 bUSDT Stale', { text: 's' });
    const who = newBuyer();
    const first = await openLink(code, who);
    await h.db
      .update(invoices)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(invoices.id, first.row.id));
    const second = await openLink(code, who);
    expect(second.row.id).not.toBe(first.row.id);
    expect((await waitForInvoice(h, first.remote.id, (r) => r.status === 'Expired')).status).toBe('Expired');
  });

  it('Paid: the content arrives once as a copy, under duplicate webhooks and a restart; the merchant is told', async () => {
    const code = await newProduct('2.5 bUSDT Photo pack', PHOTO);
    const { chat, buyer, message, remote, row } = await openLink(code);
    const noticesBefore = notices().length;
    const body = h.smartypay.webhookBody(remote.id, { status: 'Paid', eventId: `evt-shop-${remote.id}` });
    h.smartypay.setStatus(remote.id, 'Paid');
    // The same signed body each time: a repeated delivery of one event.
    const post = () => sendAndApply(h, remote.id, { body });
    expect((await Promise.all([post(), post(), post()])).map((r) => r.status)).toEqual([200, 200, 200]);
    await settle(h.app);

    const [photo, ...more] = deliveries(chat.id);
    expect(more).toEqual([]);
    expect(photo).toMatchObject({
      method: 'sendPhoto',
      fileId: 'photo-large',
      caption: PHOTO.caption,
      captionEntities: PHOTO.caption_entities,
      replyTo: message.message_id,
    });
    const photoCall = h.telegram.callsOf('sendPhoto').find((call) => call.params.chat_id === chat.id);
    expect(photoCall?.params.parse_mode).toBeUndefined(); // entities, not HTML: "<3 &" arrives as typed
    expect(h.telegram.callsOf('forwardMessage')).toHaveLength(0);

    const [notice, ...moreNotices] = notices().slice(noticesBefore);
    expect(moreNotices).toEqual([]);
    expect(notice?.params.text).toBe(
      [
        `💰 <b>Sale:</b> Photo pack (<code>${code}</code>)`,
        `Buyer: Ann Lee @${buyer.username} (id <code>${buyer.id}</code>)`,
        `Received: <b>2.5 bUSDT</b> of 2.5 bUSDT · Invoice #${row.id}`,
      ].join('\n'),
    );

    // A restart, then SMARTy Pay delivers the event again and a second event for the same payment: nothing more.
    await h.restart();
    expect((await post()).status).toBe(200);
    const second = await sendAndApply(h, remote.id, { status: 'Paid', eventId: 'evt-shop-2nd' });
    expect(second.status).toBe(200);
    await settle(h.app);
    expect(deliveries(chat.id)).toHaveLength(1);
    expect(notices().slice(noticesBefore)).toHaveLength(1);
    const rows = await h.db
      .select()
      .from(outbox)
      .where(and(eq(outbox.invoiceId, row.id), eq(outbox.kind, 'delivery')));
    expect(rows.map((r) => [r.status, r.chatId])).toEqual([['sent', chat.id]]);
  });

  it('a delivery held back by Telegram (429) survives a restart and arrives once', async () => {
    const code = await newProduct('1 bUSDT Guide', {
      text: 'Read <this> & enjoy',
      entities: [{ type: 'italic', offset: 5, length: 6 }],
    });
    const { chat, remote } = await openLink(code);
    h.telegram.failNext('sendMessage', {
      status: 429,
      description: 'Too Many Requests: retry after 1',
      parameters: { retry_after: 1 },
    });
    // The 429 lands on the first message of the payment (the confirmation or the delivery); both are retried.
    await sendAndApply(h, remote.id, { status: 'OverPaid', paidAmount: '1.5' });
    await h.telegram.waitFor((calls) => calls.some((call) => call.method === 'sendMessage' && call.status === 429));
    await h.restart();
    await h.telegram.waitFor(() => deliveries(chat.id).length > 0, 10_000);
    await settle(h.app);
    const [text, ...more] = deliveries(chat.id) as RecordedCall[];
    expect(more).toEqual([]);
    expect(text?.params).toMatchObject({
      text: 'Read <this> & enjoy',
      entities: [{ type: 'italic', offset: 5, length: 6 }],
    });
    expect(text?.params.parse_mode).toBeUndefined();
    expect(notices().at(-1)?.params.text).toContain('⚠️ Paid more than due.');
    // The buyer's confirmation is addressed to the buyer: the merchant's to-do is in the notice.
    const confirmation = botCalls(h, chat.id).find((call) => String(call.params.text).startsWith('✅'));
    expect(confirmation?.params.text).toContain('the seller has been told and will settle the difference with you');
    expect(confirmation?.params.text).not.toContain('customer');
  });

  it('UnderPaid delivers nothing; the buyer is told what is missing and the merchant is told', async () => {
    const code = await newProduct('10 bUSDT Course', { text: 'lesson 1' });
    const { chat, remote } = await openLink(code);
    await sendAndApply(h, remote.id, { status: 'UnderPaid', paidAmount: '4' });
    await settle(h.app);
    expect(deliveries(chat.id)).toHaveLength(0);
    const reply = botCalls(h, chat.id).at(-1)?.params.text;
    expect(reply).toContain('<b>4 bUSDT</b> of <b>10 bUSDT</b> received, 6 bUSDT missing');
    expect(reply).toContain('Pay the rest with “Pay the remaining” on the card; your order is delivered once');
    expect(reply).not.toContain('customer');
    const notice = notices().at(-1)?.params.text;
    expect(notice).toContain('Received: <b>4 bUSDT</b> of 10 bUSDT');
    expect(notice).toContain('⚠️ Partly paid: 6 bUSDT missing. Nothing was delivered');
  });

  it('Invalid delivers nothing; the buyer is told, and so is the merchant', async () => {
    const code = await newProduct('2 bUSDT Broken pay', { text: 'never sent' });
    const { chat, remote } = await openLink(code);
    await sendAndApply(h, remote.id, { status: 'Invalid' });
    await settle(h.app);
    expect(deliveries(chat.id)).toHaveLength(0);
    const reply = botCalls(h, chat.id).find((call) => String(call.params.text).startsWith('❌'));
    expect(reply?.params.text).toContain('nothing was delivered');
    const notice = botCalls(h, MERCHANT.id).at(-1)?.params.text;
    expect(notice).toContain('❌ <b>Payment failed:</b> Broken pay');
    expect(notice).toContain('nothing was delivered');
  });

  it('paid after expiry and while paused: delivered, and the notice says both', async () => {
    const code = await newProduct('3 bUSDT Late pack', { text: 'late content' });
    const { chat, remote } = await openLink(code);
    await h.db.update(products).set({ state: 'paused' }).where(eq(products.code, code));
    await sendAndApply(h, remote.id, { status: 'Expired' });
    await waitForInvoice(h, remote.id, (r) => r.status === 'Expired');
    await settle(h.app);
    // The buyer's expired card offers no "Issue again" (a merchant's button): they open the link again instead.
    const expiredCard = h.telegram.messages(chat.id).find((m) => m.text.includes('Expired'));
    expect(expiredCard?.reply_markup).toBeUndefined();
    await sendAndApply(h, remote.id, { status: 'Paid' });
    await settle(h.app);
    expect(deliveries(chat.id)).toHaveLength(1);
    const notice = notices().at(-1)?.params.text;
    expect(notice).toContain('Late pack');
    expect(notice).toContain('⚠️ Paid after the invoice had expired or was cancelled; delivered anyway.');
    expect(notice).toContain('⚠️ Paid while the product was paused; delivered anyway.');
  });

  it('a paused, deleted, unknown or empty product answers one sentence and makes no invoice', async () => {
    const paused = await newProduct('3 bUSDT Paused', { text: 'p' });
    const deleted = await newProduct('3 bUSDT Deleted', { text: 'd' });
    const empty = await newProduct('3 bUSDT Empty');
    await h.db.update(products).set({ state: 'paused' }).where(eq(products.code, paused));
    await h.db.update(products).set({ state: 'deleted' }).where(eq(products.code, deleted));
    const created = h.smartypay.createdInvoices().length;
    const { buyer, chat } = newBuyer();
    const answers: string[] = [];
    for (const code of [paused, deleted, 'unknownCode123', empty]) {
      answers.push((await say(chat, `/start ${code}`, buyer)).params.text);
    }
    expect(answers).toEqual([
      'This product is paused for now. Try again later.',
      'This product is no longer sold.',
      'This link does not lead to a product. Ask the seller for a new one.',
      'This product is not ready for sale yet. Try again later.',
    ]);
    expect(h.smartypay.createdInvoices()).toHaveLength(created);
    // A plain /start still answers with the guide.
    expect((await say(chat, '/start', buyer)).params.text).toContain('<b>Commands</b>');
  });

  it('speaks Russian to a Russian buyer', async () => {
    const code = await newProduct('2 bUSDT Фото', { text: 'спасибо' });
    const { chat } = await openLink(code, newBuyer('ru'));
    expect(botCalls(h, chat.id)[0]?.params.text).toContain('Цена: <b>2 bUSDT</b>');
  });
});

describe('keys: one per sale, never twice', () => {
  /** `/addkeys <code>` with one key per line; returns the bot's answer. */
  const addKeys = async (code: string, keys: string[]) =>
    (await say(merchantChat, [`/addkeys ${code}`, ...keys].join('\n'))).params.text as string;
  const keyOf = (chatId: number) =>
    botCalls(h, chatId)
      .map((call) => /Your key for .*: <code>(.*)<\/code>/.exec(call.params.text)?.[1])
      .find(Boolean);
  const pay = async (remote: { id: string }) => {
    await sendAndApply(h, remote.id, { status: 'Paid' });
    await settle(h.app);
  };

  it('/addkeys adds keys (a repeated one once) and shows the stock; /keys counts and never shows a key', async () => {
    const code = await newProduct('9 bUSDT License');
    const answer = await addKeys(code, ['AAA-1', 'BBB-2', 'AAA-1', '  ']);
    expect(answer).toContain('🔑 Added 2 keys (0 already there)');
    expect(answer).toContain('Delivers: one key per sale');
    expect(answer).toContain('Stock: 2 keys');
    expect(await addKeys(code, ['BBB-2', 'CCC-3'])).toContain('Added 1 keys (1 already there)');
    const counts = (await say(merchantChat, `/keys ${code}`)).params.text;
    expect(counts).toBe('🔑 License: 3 in stock, 0 reserved for open invoices, 0 sold.');
    expect((await say(merchantChat, `/addkeys ${code}`)).params.text).toContain('one key per line');
    expect((await say(merchantChat, '/keys')).params.text).toContain('Which product?');
    const strangerChat: TestChat = { id: STRANGER.id, type: 'private' };
    expect((await say(strangerChat, `/keys ${code}`, STRANGER)).params.text).toContain('only this shop');
    expect((await say(strangerChat, `/addkeys ${code}\nX`, STRANGER)).params.text).toContain('only this shop');
  });

  /** shop_products_sold and shop_keys_left from /metrics. */
  const gauges = async () => {
    const text = await (await fetch(h.app.metricsUrl)).text();
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    return { sold: value('shop_products_sold'), keysLeft: value('shop_keys_left') };
  };

  it('two buyers of a 2-key product get different keys; a third gets "sold out" and SMARTy Pay is not asked', async () => {
    const code = await newProduct('9 bUSDT Two keys');
    const before = await gauges();
    await addKeys(code, ['KEY-ONE', 'KEY-TWO']);
    expect((await gauges()).keysLeft).toBe(before.keysLeft + 2);
    const first = await openLink(code);
    const second = await openLink(code);
    await Promise.all([pay(first.remote), pay(second.remote)]);
    const keys = [keyOf(first.chat.id), keyOf(second.chat.id)];
    expect(keys.sort()).toEqual(['KEY-ONE', 'KEY-TWO']);

    const created = h.smartypay.createdInvoices().length;
    const requests = h.smartypay.requests.length;
    const third = newBuyer();
    expect((await say(third.chat, `/start ${code}`, third.buyer)).params.text).toBe('This product is sold out.');
    expect(h.smartypay.createdInvoices()).toHaveLength(created);
    expect(h.smartypay.requests).toHaveLength(requests);
    expect(notices().at(-1)?.params.text).toContain('🔑 One key was sent to the buyer.');
    expect(notices().at(-1)?.params.text).not.toMatch(/KEY-(ONE|TWO)/);
    // /metrics: two more sales, and the two keys are gone from stock.
    expect(await gauges()).toEqual({ sold: before.sold + 2, keysLeft: before.keysLeft });
  });

  it('five buyers at once for 2 keys: two invoices hold one key each, the others are told it is sold out', async () => {
    const code = await newProduct('9 bUSDT Rush');
    await addKeys(code, ['RUSH-1', 'RUSH-2']);
    const buyers = Array.from({ length: 5 }, () => newBuyer());
    const created = h.smartypay.createdInvoices().length;
    for (const { chat, buyer } of buyers) h.telegram.sendText({ chat, from: buyer, text: `/start ${code}` });
    const [product] = await h.db.select().from(products).where(eq(products.code, code));
    const answered = () =>
      buyers.filter(({ chat }) => botCalls(h, chat.id).some((call) => /sold out|Invoice #/.test(call.params.text)))
        .length;
    await h.telegram.waitFor(() => answered() === 5, 10_000);
    const held = await h.db
      .select()
      .from(productKeys)
      .where(eq(productKeys.productId, product?.id ?? 0));
    const holders = held.map((key) => key.invoiceId);
    expect(holders.every((id) => id !== null)).toBe(true);
    expect(new Set(holders).size).toBe(2);
    const soldOut = buyers.filter(({ chat }) =>
      botCalls(h, chat.id).some((call) => call.params.text === 'This product is sold out.'),
    );
    expect(soldOut).toHaveLength(3);
    // The keys were held before SMARTy Pay was asked: no invoice was made there for the three told "sold out".
    expect(h.smartypay.createdInvoices()).toHaveLength(created + 2);
  });

  it('an expired reservation returns the key; a late payment with none left is told, never given a duplicate', async () => {
    const code = await newProduct('9 bUSDT One key');
    await addKeys(code, ['ONLY-KEY']);
    const early = await openLink(code);
    const late = newBuyer();
    expect((await say(late.chat, `/start ${code}`, late.buyer)).params.text).toBe('This product is sold out.');

    await sendAndApply(h, early.remote.id, { status: 'Expired' });
    await waitForInvoice(h, early.remote.id, (r) => r.status === 'Expired');
    expect((await say(merchantChat, `/keys ${code}`)).params.text).toContain('1 in stock, 0 reserved');

    const second = await openLink(code, late);
    await pay(second.remote);
    expect(keyOf(late.chat.id)).toBe('ONLY-KEY');

    await pay(early.remote); // the first buyer pays after all, after expiry: no key is left
    expect(keyOf(early.chat.id)).toBeUndefined();
    const told = botCalls(h, early.chat.id).find((call) => call.params.text.includes('no key is left'));
    expect(told?.params.text).toContain('The seller has been told and will sort it out');
    const notice = notices().at(-1)?.params.text;
    expect(notice).toContain('⚠️ No key was left for this payment: refund the buyer or send them a key by hand.');
    expect(notice).toContain('Paid after the invoice had expired');
    expect((await say(merchantChat, `/keys ${code}`)).params.text).toContain(
      '0 in stock, 0 reserved for open invoices, 1 sold',
    );
  });
});

describe('/purchases', () => {
  it('lists what the buyer paid for, and 📦 sends it again; nobody else gets it', async () => {
    const photo = await newProduct('2 bUSDT Again photo', PHOTO);
    const keyed = await newProduct('2 bUSDT Again key');
    await say(merchantChat, `/addkeys ${keyed}\nAGAIN-KEY`);
    const first = await openLink(photo);
    await sendAndApply(h, first.remote.id, { status: 'Paid' });
    const second = await openLink(keyed, first);
    await sendAndApply(h, second.remote.id, { status: 'Paid' });
    const unpaid = await openLink(await newProduct('2 bUSDT Not paid', { text: 'x' }), first);
    await settle(h.app);

    const list = await say(first.chat, '/purchases', first.buyer);
    expect(list.params.text).toContain('<b>Your purchases</b>');
    expect(list.params.text).toContain(`• Again key — 2 bUSDT · Invoice #${second.row.id}`);
    expect(list.params.text).toContain(`• Again photo — 2 bUSDT · Invoice #${first.row.id}`);
    expect(list.params.text).not.toContain(`#${unpaid.row.id}`);
    const buttons = list.params.reply_markup.inline_keyboard.flat();
    expect(buttons.map((b: { text: string }) => b.text)).toEqual([
      `📦 Again key (#${second.row.id})`,
      `📦 Again photo (#${first.row.id})`,
    ]);
    const [message] = h.telegram.messages(first.chat.id).filter((m) => m.text.includes('Your purchases'));
    const tap = (data: string, from: { id: number } = first.buyer) =>
      h.telegram.tapButton({ from, data, chatId: first.chat.id, messageId: message?.message_id ?? 0 });

    const photos = h.telegram.media().filter((m) => m.chatId === first.chat.id).length;
    expect((await tap(buttons[1].callback_data)).text).toBe('Sent again.');
    await h.telegram.waitFor(() => h.telegram.media().filter((m) => m.chatId === first.chat.id).length > photos);
    expect(h.telegram.media().at(-1)).toMatchObject({ fileId: 'photo-large', caption: PHOTO.caption });
    await tap(buttons[0].callback_data);
    await h.telegram.waitFor(
      () => botCalls(h, first.chat.id).filter((c) => c.params.text.includes('AGAIN-KEY')).length === 2,
    );

    // Someone else's tap on the same data (a forged button) gets nothing.
    expect(await tap(buttons[1].callback_data, STRANGER)).toMatchObject({ show_alert: true });
    const other = newBuyer();
    expect((await say(other.chat, '/purchases', other.buyer)).params.text).toContain(
      'You have bought nothing here yet',
    );
  });
});

describe('the product card buttons', () => {
  /** The card /newproduct answered with, as it is now (after edits). */
  const cardOf = (code: string) => {
    const card = h.telegram.messages(MERCHANT.id).find((m) => m.text.includes(`?start=${code}`));
    if (!card) throw new Error(`no card for ${code}`);
    return card;
  };
  const labels = (code: string) =>
    (cardOf(code).reply_markup?.inline_keyboard ?? []).flat().map((button: { text: string }) => button.text);
  /** Taps the card's `label` button; the merchant's tap resolves once the card was edited too. */
  const tap = async (code: string, label: string, from: { id: number } = MERCHANT) => {
    const card = cardOf(code);
    const button = card.reply_markup.inline_keyboard.flat().find((b: { text: string }) => b.text === label);
    if (!button) throw new Error(`no ${label} on ${code}: ${labels(code).join(', ')}`);
    const data = button.callback_data;
    const answer = await h.telegram.tapButton({ from, data, chatId: MERCHANT.id, messageId: card.message_id });
    if (from === MERCHANT) await h.telegram.waitFor(() => cardOf(code).edits > card.edits);
    return answer;
  };
  const stateOf = async (code: string) => (await h.db.select().from(products).where(eq(products.code, code)))[0]?.state;
  const linkAnswer = async (code: string) => {
    const { buyer, chat } = newBuyer();
    return (await say(chat, `/start ${code}`, buyer)).params.text;
  };

  it('Pause, Resume and Delete (confirmed) change the product and its card; the link follows', async () => {
    const code = await newProduct('6 bUSDT Buttons', { text: 'b' });
    expect(labels(code)).toEqual(['📣 Share', '⏸ Pause', '🗑 Delete']);

    expect((await tap(code, '⏸ Pause')).text).toContain('Paused');
    expect(await stateOf(code)).toBe('paused');
    expect(cardOf(code).text).toContain('State: paused');
    expect(labels(code)).toEqual(['▶️ Resume', '🗑 Delete']);
    expect(await linkAnswer(code)).toBe('This product is paused for now. Try again later.');

    await tap(code, '▶️ Resume');
    expect(await stateOf(code)).toBe('active');
    expect(labels(code)).toEqual(['📣 Share', '⏸ Pause', '🗑 Delete']);

    await tap(code, '🗑 Delete');
    expect(cardOf(code).text).toContain('Delete this product?');
    expect(labels(code)).toEqual(['✅ Yes, delete', '↩️ Keep it']);
    await tap(code, '↩️ Keep it');
    expect(await stateOf(code)).toBe('active');
    await tap(code, '🗑 Delete');
    expect((await tap(code, '✅ Yes, delete')).text).toBe('🗑 Deleted.');
    expect(await stateOf(code)).toBe('deleted');
    expect(cardOf(code).reply_markup).toBeUndefined();
    expect(cardOf(code).text).toContain('State: deleted');
    expect(await linkAnswer(code)).toBe('This product is no longer sold.');
  });

  it("nobody else's tap changes a product: not a stranger's, not another merchant's", async () => {
    const code = await newProduct('6 bUSDT Guarded', { text: 'g' });
    for (const from of [STRANGER, OTHER_MERCHANT]) {
      const answer = await tap(code, '⏸ Pause', from);
      expect(answer).toMatchObject({ show_alert: true, text: "Sorry, only this shop's merchants can do that." });
    }
    expect(await stateOf(code)).toBe('active');
    expect(labels(code)).toEqual(['📣 Share', '⏸ Pause', '🗑 Delete']);
  });
});

describe('inline: @bot <code> posts the product with a Buy button', () => {
  const ask = async (query: string, from: { id: number } = MERCHANT) => {
    const id = h.telegram.inlineQuery({ from, query });
    await h.telegram.waitFor(() => h.telegram.inlineResults(id) !== undefined);
    return { id, results: h.telegram.inlineResults(id) ?? [] };
  };

  it('finds the product by code or a word of its title; the post links to it; Share fills in the code', async () => {
    const code = await newProduct('4 bUSDT Sunset wallpapers', { text: 'w' });
    const card = h.telegram.messages(MERCHANT.id).find((m) => m.text.includes(`?start=${code}`));
    expect(card?.reply_markup.inline_keyboard[0][0]).toEqual({ text: '📣 Share', switch_inline_query: code });

    const byCode = await ask(code);
    expect(byCode.results).toHaveLength(1);
    const [result] = byCode.results;
    expect(result.title).toBe('Sunset wallpapers');
    expect(result.input_message_content.message_text).toContain('🛍 <b>Sunset wallpapers</b>\nPrice: <b>4 bUSDT</b>');
    expect(result.reply_markup.inline_keyboard[0][0]).toEqual({
      text: '🛒 Buy',
      url: `https://t.me/test_bot?start=${code}`,
    });
    expect((await ask('sunset')).results.map((r: { id: string }) => r.id)).toContain(`product:${code}`);

    // Posting it reports the choice; nothing is made of it (no invoice).
    const created = h.smartypay.createdInvoices().length;
    const inlineMessageId = h.telegram.chooseInlineResult({ queryId: byCode.id });
    expect(h.telegram.inlineMessage(inlineMessageId)?.text).toContain('Sunset wallpapers');
    await settle(h.app);
    expect(h.smartypay.createdInvoices()).toHaveLength(created);
  });

  it('an amount is still an inline invoice; paused products and other people find nothing', async () => {
    const code = await newProduct('4 bUSDT Hidden gem', { text: 'h' });
    expect((await ask('10 bUSDT coffee')).results[0]?.id).not.toMatch(/^product:/);
    expect((await ask(code, OTHER_MERCHANT)).results).toEqual([]);
    expect((await ask(code, STRANGER)).results).toEqual([]);
    await h.db.update(products).set({ state: 'paused' }).where(eq(products.code, code));
    expect((await ask(code)).results).toEqual([]);
  });
});

describe('/products', () => {
  it('lists code, price, sales, revenue and state', async () => {
    const code = await newProduct('7 bUSDT Listed', { text: 'listed' });
    const { remote } = await openLink(code);
    await sendAndApply(h, remote.id, { status: 'Paid' });
    await settle(h.app);
    const list = (await say(merchantChat, '/products')).params.text;
    expect(list).toContain('<b>Your products</b>');
    expect(list).toContain(`<code>${code}</code> · Listed · 7 bUSDT · 1 · 7 bUSDT · — · on sale`);
    const keyed = await newProduct('2 bUSDT Listed keys');
    await say(merchantChat, `/addkeys ${keyed}\nL-1\nL-2`);
    expect((await say(merchantChat, '/products')).params.text).toContain(
      `<code>${keyed}</code> · Listed keys · 2 bUSDT · 0 · 0 bUSDT · 2 keys · on sale`,
    );
  });
});
