import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessGrants, invoices, productKeys, products } from '../../src/db/schema.js';
import type { RecordedCall } from '../support/fake-telegram.js';
import { botCalls, MERCHANT, openProductLink, type TestChat, waitForInvoice, waitUntil } from '../support/flows.js';
import { type Harness, sendAndApply, settle, startHarness } from '../support/harness.js';

// The shop where money and stock meet (issue 15's keys and two-part sales): the last key asked for by two buyers at
// once, a create SMARTy Pay refused or never confirmed, a reservation of an UnderPaid invoice, and a sale paid twice.
// One app for the file; every test uses its own product and buyers.

const merchantChat: TestChat = { id: MERCHANT.id, type: 'private' };
let h: Harness;
let nextBuyer = 90_000;

function newBuyer() {
  nextBuyer += 1;
  const buyer = { id: nextBuyer, first_name: 'Bo', username: `bo${nextBuyer}`, language_code: 'en' };
  return { buyer, chat: { id: buyer.id, type: 'private' as const } };
}

beforeAll(async () => {
  h = await startHarness({ env: { MERCHANT_USER_IDS: String(MERCHANT.id) } });
});
afterAll(async () => {
  await h?.close();
});

const isNotice = (call: RecordedCall) => /^(💰|❌ <b>Payment failed)/.test(call.params.text);
const answersIn = (chatId: number) => botCalls(h, chatId).filter((call) => !isNotice(call));
const notices = () => botCalls(h, MERCHANT.id).filter(isNotice);
const posts = () => h.smartypay.requests.filter((r) => r.method === 'POST').length;

async function say(chat: TestChat, text: string, from: { id: number } = MERCHANT): Promise<string> {
  const before = answersIn(chat.id).length;
  h.telegram.sendText({ chat, from, text });
  await h.telegram.waitFor(() => answersIn(chat.id).length > before);
  return (answersIn(chat.id)[before] as RecordedCall).params.text;
}

/** A keys product of MERCHANT's with `keys` in stock; returns its code and id. */
async function keysProduct(title: string, keys: string[]) {
  const card = await say(merchantChat, `/newproduct 10 bUSDT ${title}`);
  const code = /\?start=([A-Za-z0-9_-]+)/.exec(card)?.[1] ?? '';
  await say(merchantChat, [`/addkeys ${code}`, ...keys].join('\n'));
  const [row] = await h.db.select().from(products).where(eq(products.code, code));
  return { code, id: row?.id ?? 0 };
}

const stock = (code: string) => say(merchantChat, `/keys ${code}`);
const keyOf = (chatId: number) =>
  botCalls(h, chatId)
    .map((call) => /Your key for .*: <code>(.*)<\/code>/.exec(call.params.text)?.[1])
    .filter(Boolean);

const openLink = (code: string, who = newBuyer()) => openProductLink(h, code, who);

async function webhook(smartyPayId: string, status: string, paidAmount?: string) {
  const answer = await sendAndApply(h, smartyPayId, { status, paidAmount });
  expect(answer.status).toBe(200);
  await settle(h.app);
}

/** Puts the invoice past its expiry and runs the reconciler's tick (its sweep returns lapsed reservations). */
async function pastExpiry(invoiceId: number) {
  await h.db
    .update(invoices)
    .set({ expiresAt: new Date(Date.now() - 1000) })
    .where(eq(invoices.id, invoiceId));
  await h.app.workers.reconciler.tick();
}

describe('the last key', () => {
  it('two buyers at once: one SMARTy Pay invoice holds it, the other is told "sold out" with no SMARTy Pay call', async () => {
    const { code } = await keysProduct('Last one', ['LAST-1']);
    const [a, b] = [newBuyer(), newBuyer()];
    const created = h.smartypay.createdInvoices().length;
    const before = posts();
    // A slow SMARTy Pay: both links are opened while the first create is still in flight.
    h.smartypay.setLatency(300);
    try {
      for (const { chat, buyer } of [a, b]) h.telegram.sendText({ chat, from: buyer, text: `/start ${code}` });
      const answered = (chatId: number) =>
        answersIn(chatId).some((call) => /sold out|Invoice #/.test(call.params.text));
      await h.telegram.waitFor(() => answered(a.chat.id) && answered(b.chat.id), 10_000);
    } finally {
      h.smartypay.setLatency(0);
    }
    expect(posts() - before).toBe(1);
    expect(h.smartypay.createdInvoices()).toHaveLength(created + 1);
    const soldOut = [a, b].filter(({ chat }) =>
      answersIn(chat.id).some((call) => call.params.text === 'This product is sold out.'),
    );
    expect(soldOut).toHaveLength(1);
    // The loser saw no offer either: nothing to pay was shown.
    expect(answersIn(soldOut[0]?.chat.id ?? 0)).toHaveLength(1);
    expect(await stock(code)).toContain('0 in stock, 1 reserved for open invoices');
  });

  it('a create SMARTy Pay refuses returns the held key at once', async () => {
    const { code } = await keysProduct('Refused', ['REF-1']);
    h.smartypay.failNext('POST', 400);
    const who = newBuyer();
    expect(await say(who.chat, `/start ${code}`, who.buyer)).toContain('🛍');
    await h.telegram.waitFor(() => answersIn(who.chat.id).length === 2);
    expect(await stock(code)).toContain('1 in stock, 0 reserved');
    const { remote } = await openLink(code);
    expect(remote).toBeDefined();
  });

  it('an unconfirmed create keeps its key until expiry; adopted and paid, it delivers exactly that key', async () => {
    const { code, id } = await keysProduct('Unsure', ['UNS-1', 'UNS-2']);
    h.smartypay.failNext('POST', 503);
    const who = newBuyer();
    const { message } = h.telegram.sendText({ chat: who.chat, from: who.buyer, text: `/start ${code}` });
    await h.telegram.waitFor(() => answersIn(who.chat.id).some((c) => c.params.text.includes('did not confirm')));
    const [row] = await h.db.select().from(invoices).where(eq(invoices.productId, id));
    expect(row?.status).toBe('Unconfirmed');
    const held = await h.db
      .select()
      .from(productKeys)
      .where(eq(productKeys.invoiceId, row?.id ?? 0));
    expect(held.map((k) => k.key)).toEqual(['UNS-1']);
    expect(await stock(code)).toContain('1 in stock, 1 reserved');

    // Another buyer takes the other key meanwhile.
    const other = await openLink(code);
    await webhook(other.remote.id, 'Paid');
    expect(keyOf(other.chat.id)).toEqual(['UNS-2']);

    // SMARTy Pay had made it after all: its webhook names our (chat, message), adopts the row and pays it.
    const remoteId = randomUUID();
    h.smartypay.addInvoice({
      id: remoteId,
      amount: '10',
      token: 'bUSDT',
      status: 'Created',
      createdAt: new Date(),
      expiresAt: new Date(Date.now() + 3_600_000),
      paidAt: null,
      paidAmount: null,
      metadata: JSON.stringify({ chatId: who.chat.id, messageId: message.message_id }),
    });
    await webhook(remoteId, 'Paid', '10');
    expect(keyOf(who.chat.id)).toEqual(['UNS-1']);
    expect(await stock(code)).toContain('0 in stock, 0 reserved for open invoices, 2 sold');
  });

  it('an unconfirmed create that is never named returns its key after expiry', async () => {
    const { code, id } = await keysProduct('Never named', ['NN-1']);
    h.smartypay.failNext('POST', 503);
    const who = newBuyer();
    h.telegram.sendText({ chat: who.chat, from: who.buyer, text: `/start ${code}` });
    await h.telegram.waitFor(() => answersIn(who.chat.id).some((c) => c.params.text.includes('did not confirm')));
    expect(await stock(code)).toContain('0 in stock, 1 reserved');
    const [row] = await h.db.select().from(invoices).where(eq(invoices.productId, id));
    await pastExpiry(row?.id ?? 0);
    expect(await stock(code)).toContain('1 in stock, 0 reserved');
  });
});

describe('an UnderPaid invoice and its key', () => {
  it('keeps the key until expiry: topped up before, it gets exactly its key', async () => {
    const { code } = await keysProduct('Top up', ['TOP-1', 'TOP-2']);
    const first = await openLink(code);
    await webhook(first.remote.id, 'UnderPaid', '4');
    const second = await openLink(code);
    expect(keyOf(first.chat.id)).toEqual([]);
    await webhook(first.remote.id, 'Paid', '10');
    expect(keyOf(first.chat.id)).toEqual(['TOP-1']);
    await webhook(second.remote.id, 'Paid');
    expect(keyOf(second.chat.id)).toEqual(['TOP-2']);
  });

  it('the same buyer opening the link again is pointed at "Pay the remaining": no second invoice, no second key', async () => {
    const { code } = await keysProduct('Half paid', ['HALF-1', 'HALF-2']);
    const first = await openLink(code);
    await webhook(first.remote.id, 'UnderPaid', '4');
    const created = h.smartypay.createdInvoices().length;
    const answer = await say(first.chat, `/start ${code}`, first.buyer);
    expect(answer).toContain(`Your invoice #${first.row.id} for this product is partly paid: 4 bUSDT of 10 bUSDT.`);
    expect(answer).toContain('Pay the remaining');
    expect(h.smartypay.createdInvoices()).toHaveLength(created);
    expect(await stock(code)).toContain('1 in stock, 1 reserved');
    // Past its expiry the buyer starts afresh (its key went back to stock).
    await pastExpiry(first.row.id);
    const again = await openLink(code, first);
    expect(again.row.id).not.toBe(first.row.id);
  });

  it('never completed, its key returns to stock after expiry; a payment after that is a late one', async () => {
    const { code } = await keysProduct('Lapsed', ['LAP-1']);
    const first = await openLink(code);
    await webhook(first.remote.id, 'UnderPaid', '4');
    expect(await stock(code)).toContain('0 in stock, 1 reserved');
    // Before its expiry the sweep leaves it alone.
    await h.app.workers.reconciler.tick();
    expect(await stock(code)).toContain('0 in stock, 1 reserved');
    await pastExpiry(first.row.id);
    expect(await stock(code)).toContain('1 in stock, 0 reserved');

    const second = await openLink(code);
    await webhook(second.remote.id, 'Paid');
    expect(keyOf(second.chat.id)).toEqual(['LAP-1']);
    // The first buyer tops up after all: no key is left, and nobody gets a duplicate.
    await webhook(first.remote.id, 'Paid', '10');
    expect(keyOf(first.chat.id)).toEqual([]);
    expect(botCalls(h, first.chat.id).some((c) => c.params.text.includes('no key is left'))).toBe(true);
    expect(notices().at(-1)?.params.text).toContain('refund the buyer or send them a key by hand');
  });

  it('an original whose remainder is still open keeps its key past its own expiry', async () => {
    const { code } = await keysProduct('Rest open', ['RO-1']);
    const first = await openLink(code);
    await webhook(first.remote.id, 'UnderPaid', '4');
    const remainder = await payTheRemaining(first);
    await pastExpiry(first.row.id);
    expect(await stock(code)).toContain('0 in stock, 1 reserved');
    await webhook(remainder.id, 'Paid', '6');
    expect(keyOf(first.chat.id)).toEqual(['RO-1']);
  });
});

/** The buyer taps 💳 Pay the remaining on their UnderPaid card; returns the remainder's SMARTy Pay invoice. */
async function payTheRemaining(sale: { chat: TestChat; buyer: { id: number }; row: { id: number } }) {
  const [card] = await h.db.select().from(invoices).where(eq(invoices.id, sale.row.id));
  const before = h.smartypay.createdInvoices().length;
  await h.telegram.tapButton({
    from: sale.buyer,
    data: `v1:rest:${sale.row.id}`,
    chatId: sale.chat.id,
    messageId: card?.cardMessageId ?? 0,
  });
  await h.telegram.waitFor(() => h.smartypay.createdInvoices().length > before);
  const remote = h.smartypay.createdInvoices()[before];
  if (!remote) throw new Error('no remainder invoice');
  await waitForInvoice(h, remote.id, (r) => r.cardMessageId !== null);
  return remote;
}

describe('a sale paid twice (the original and its remainder both in full)', () => {
  it('a keys product hands out one key; the second payment is told to the merchant as an overpayment', async () => {
    const { code } = await keysProduct('Twice keys', ['TW-1', 'TW-2']);
    const sale = await openLink(code);
    await webhook(sale.remote.id, 'UnderPaid', '4');
    const remainder = await payTheRemaining(sale);
    await webhook(remainder.id, 'Paid', '6');
    expect(keyOf(sale.chat.id)).toEqual(['TW-1']);
    const noticesBefore = notices().length;

    await webhook(sale.remote.id, 'Paid', '10');
    expect(keyOf(sale.chat.id)).toEqual(['TW-1']);
    expect(await stock(code)).toContain('1 in stock, 0 reserved for open invoices, 1 sold');
    const [notice, ...more] = notices().slice(noticesBefore);
    expect(more).toEqual([]);
    expect(notice?.params.text).toContain(`⚠️ Already paid with invoice #`);
    expect(notice?.params.text).toContain('nothing more was delivered: refund this payment to the buyer');
    expect(notice?.params.text).not.toContain('No key was left');
    const reply = botCalls(h, sale.chat.id).at(-1)?.params.text;
    expect(reply).toContain('already paid');
    expect(reply).toContain('the seller has been told and will refund');
    expect(reply).not.toContain('customer');
  });

  it('an access product grants one period and one invite link; the second payment extends nothing', async () => {
    const channel = -100_555_000;
    h.telegram.addChat({ id: channel, type: 'channel', title: 'Twice club' });
    h.telegram.setMember(channel, h.telegram.botInfo.id, 'administrator', {
      can_invite_users: true,
      can_restrict_members: true,
    });
    const card = await say(merchantChat, '/newproduct 10 bUSDT Twice club');
    const code = /\?start=([A-Za-z0-9_-]+)/.exec(card)?.[1] ?? '';
    expect(await say(merchantChat, `/setaccess ${code} ${channel} 30d`)).toContain('✅');
    const sale = await openLink(code);
    await webhook(sale.remote.id, 'UnderPaid', '4');
    const remainder = await payTheRemaining(sale);
    await webhook(remainder.id, 'Paid', '6');
    const grantOf = async () =>
      (await h.db.select().from(accessGrants).where(eq(accessGrants.userId, sale.buyer.id)))[0];
    const granted = await grantOf();
    expect(granted?.endsAt).toBeInstanceOf(Date);
    expect(h.telegram.inviteLinks(channel)).toHaveLength(1);
    const noticesBefore = notices().length;

    await webhook(sale.remote.id, 'Paid', '10');
    expect((await grantOf())?.endsAt).toEqual(granted?.endsAt);
    expect(h.telegram.inviteLinks(channel)).toHaveLength(1);
    const [notice, ...more] = notices().slice(noticesBefore);
    expect(more).toEqual([]);
    expect(notice?.params.text).toContain('⚠️ Already paid with invoice #');
  });

  it('a content product is delivered once when the remainder is paid after the original was topped up', async () => {
    const card = await say(merchantChat, '/newproduct 10 bUSDT Twice text');
    const code = /\?start=([A-Za-z0-9_-]+)/.exec(card)?.[1] ?? '';
    const date = Math.floor(Date.now() / 1000);
    const chat = { id: MERCHANT.id, type: 'private', first_name: MERCHANT.first_name };
    const from = { id: MERCHANT.id, is_bot: false, first_name: MERCHANT.first_name };
    h.telegram.pushUpdate({
      message: {
        message_id: 700_001,
        date,
        chat,
        from,
        text: `/setcontent ${code}`,
        entities: [{ type: 'bot_command', offset: 0, length: '/setcontent'.length }],
        reply_to_message: { message_id: 700_000, date, chat, from, text: 'the secret' },
      },
    });
    await waitUntil(async () => {
      const [row] = await h.db.select().from(products).where(eq(products.code, code));
      return row?.content !== null;
    });
    const sale = await openLink(code);
    await webhook(sale.remote.id, 'UnderPaid', '4');
    const remainder = await payTheRemaining(sale);
    await webhook(sale.remote.id, 'Paid', '10');
    await webhook(remainder.id, 'Paid', '6');
    const delivered = botCalls(h, sale.chat.id).filter((c) => c.params.text === 'the secret');
    expect(delivered).toHaveLength(1);
    expect(notices().at(-1)?.params.text).toContain('⚠️ Already paid with invoice #');
  });
});

describe('a payment SMARTy Pay marks Paid while short of the price', () => {
  it('is delivered as SMARTy Pay says; the notice says what is missing, the buyer is addressed as the buyer', async () => {
    const { code } = await keysProduct('Short', ['SH-1']);
    const sale = await openLink(code);
    const noticesBefore = notices().length;
    await webhook(sale.remote.id, 'Paid', '6');
    expect(keyOf(sale.chat.id)).toEqual(['SH-1']);
    const [notice] = notices().slice(noticesBefore);
    expect(notice?.params.text).toContain('⚠️ SMARTy Pay marked it paid, but 4 bUSDT is missing; delivered anyway.');
    const reply = botCalls(h, sale.chat.id).find((c) => c.params.text.startsWith('✅'))?.params.text;
    expect(reply).toContain('Only 6 bUSDT of the 10 bUSDT due arrived (4 bUSDT missing); the seller has been told');
    expect(reply).not.toContain('before you deliver');
  });
});
