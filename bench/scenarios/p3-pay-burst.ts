import { type ApiRequestRecord, type FakeSmartyPay, startFakeSmartyPay } from '../../test/support/fake-smartypay.js';
import { type FakeTelegram, startFakeTelegram } from '../../test/support/fake-telegram.js';
import { startApp, stopApp } from '../lib/processes.js';
import { log, pollUntil, round, sleep } from '../lib/util.js';
import type { BenchContext } from './types.js';

// p3: 200 `/pay 1 bUSDT` from 200 private chats queued at once while SMARTy Pay answers every call
// after 250 ms, and the fake Bot API enforces Telegram's limits on sendMessage (30 a second overall, one a
// second per chat: 429 + retry_after beyond).
//
// Two things are timed from queueing the burst. (1) Invoices: until SMARTy Pay has answered all 200 creates,
// which is where handling updates concurrently pays (SMARTYPAY_MAX_IN_FLIGHT bounds it). (2) Cards: until the
// fake accepted all 200 cards. Every card goes through the outbox and the shared send budget, so 200 cards take
// at least 200 / 30 s; the cards' goal is a ratio to that, with no 429.
//
// The sequential reference is measured on the same app process afterwards: 20 more chats, one /pay at a time,
// each queued only after the previous card arrived. Its mean queue → invoice created × 200 is what handling the
// burst one update at a time would take; its queue → card times give the /pay → card p50 of an idle bot.
// (BOT_CONCURRENCY=1 cannot give this: the grammY runner starts every update of a fetched batch at once, and
// only paces later fetches.)

export const P3_CHATS = 200;
export const P3_SEQUENTIAL_CHATS = 20;
export const P3_LATENCY_MS = 250;
/** Telegram's documented rate for new messages, enforced by the fake during p3. */
export const P3_TELEGRAM_RATE = 30;
const BURST_TIMEOUT_MS = 30_000;
const ONE_TIMEOUT_MS = 5000;

export interface P3Result {
  /** Queueing the 200 updates → SMARTy Pay answered the last of their creates (BURST_TIMEOUT_MS if not all). */
  invoicesMs: number;
  /** Queueing the 200 updates → the last card accepted by the fake (BURST_TIMEOUT_MS if not all came). */
  cardsMs: number;
  /** 200 cards at Telegram's rate: P3_CHATS / P3_TELEGRAM_RATE seconds. */
  cardsIdealMs: number;
  cardsRatio: number;
  cards: number;
  /** Chats that got something other than a card (the apology when SMARTy Pay failed). */
  otherReplies: number;
  /** 429s the fake answered during the whole scenario. */
  rateLimited: number;
  /** One /pay at a time: queueing → SMARTy Pay answered its create. */
  sequentialInvoiceSamples: number[];
  /** One /pay at a time: queueing → its card accepted. */
  sequentialCardSamples: number[];
  /** Mean sequential queue → invoice time × P3_CHATS. */
  sequentialMsFor200: number;
  speedup: number;
  cardP50Ms: number;
}

const isCreate = (request: ApiRequestRecord) => request.method === 'POST' && request.path === '/integration/invoices';

/** When SMARTy Pay answered the creates that arrived from `from` on, or undefined while one is unanswered. */
function lastCreateAnswered(smartypay: FakeSmartyPay, from: number, count: number): number | undefined {
  const creates = smartypay.requests.filter((request) => isCreate(request) && request.at >= from);
  if (creates.length < count || creates.some((request) => request.answeredAt === undefined)) return undefined;
  return Math.max(...creates.map((request) => request.answeredAt as number));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Waits until the bot is inside a getUpdates long poll, so queued updates come back in one answer. */
async function botIsPolling(telegram: FakeTelegram): Promise<void> {
  await pollUntil(
    () => telegram.callsOf('getUpdates').some((call) => call.status === undefined && !call.aborted),
    5000,
    1,
  );
}

function pay(telegram: FakeTelegram, chatId: number): void {
  telegram.sendText({
    chat: { id: chatId, type: 'private' },
    from: { id: chatId, first_name: `Merchant ${chatId}` },
    text: '/pay 1 bUSDT',
  });
}

const burstChatIds = () => Array.from({ length: P3_CHATS }, (_, i) => 30_000_001 + i);
const sequentialChatIds = () => Array.from({ length: P3_SEQUENTIAL_CHATS }, (_, i) => 31_000_001 + i);

const isCard = (text: string) => text.includes('Invoice');

export async function runP3(ctx: BenchContext): Promise<P3Result> {
  const database = await ctx.provider.create('p3');
  const telegram = await startFakeTelegram();
  const smartypay = await startFakeSmartyPay();
  smartypay.setLatency(P3_LATENCY_MS);
  let app: Awaited<ReturnType<typeof startApp>> | undefined;
  try {
    // Each chat is its own merchant (a private chat's id is its user's id), all of them listed.
    const merchants = [...burstChatIds(), ...sequentialChatIds()];
    app = await startApp({ telegram, smartypay, database, env: { MERCHANT_USER_IDS: merchants.join(',') } });
    telegram.setRateLimits({ globalPerSecond: P3_TELEGRAM_RATE, perChatPerSecond: 1, methods: ['sendMessage'] });
    log(`p3: app ready in ${round(app.readyMs)} ms; queueing ${P3_CHATS} /pay at once`);

    // The burst.
    const chatIds = burstChatIds();
    const wanted = new Set(chatIds);
    await botIsPolling(telegram);
    const started = Date.now();
    for (const chatId of chatIds) pay(telegram, chatId);
    const replied = new Map<number, { at: number; card: boolean }>();
    let seen = 0;
    await pollUntil(
      () => {
        const sent = telegram.sentMessages();
        for (let i = seen; i < sent.length; i++) {
          const message = sent[i];
          if (message && wanted.has(message.chatId) && !replied.has(message.chatId)) {
            replied.set(message.chatId, { at: message.at, card: isCard(message.text) });
          }
        }
        seen = sent.length;
        return replied.size === P3_CHATS;
      },
      BURST_TIMEOUT_MS,
      2,
    );
    const cards = [...replied.values()].filter((r) => r.card).length;
    const cardsMs =
      replied.size === P3_CHATS ? Math.max(...[...replied.values()].map((r) => r.at)) - started : BURST_TIMEOUT_MS;
    const perSecond = new Array<number>(Math.ceil(cardsMs / 1000) + 1).fill(0);
    for (const r of replied.values()) {
      const second = Math.floor((r.at - started) / 1000);
      perSecond[second] = (perSecond[second] ?? 0) + 1;
    }
    log(`p3: cards accepted in each second after queueing: ${perSecond.join(' ')}`);
    const answered = lastCreateAnswered(smartypay, started, P3_CHATS);
    const invoicesMs = answered === undefined ? BURST_TIMEOUT_MS : answered - started;
    const cardsIdealMs = (P3_CHATS / P3_TELEGRAM_RATE) * 1000;
    log(
      `p3: ${P3_CHATS} invoices created in ${invoicesMs} ms; ${cards}/${P3_CHATS} cards in ${cardsMs} ms ` +
        `(ideal ${round(cardsIdealMs)} ms), ${replied.size - cards} other replies`,
    );

    // The sequential reference: one update at a time.
    await sleep(1200); // the burst's chats are paced, but no sequential chat shares their pacing or budget
    const sequentialInvoiceSamples: number[] = [];
    const sequentialCardSamples: number[] = [];
    for (const chatId of sequentialChatIds()) {
      await botIsPolling(telegram);
      const queuedAt = Date.now();
      pay(telegram, chatId);
      let cardAt: number | undefined;
      await pollUntil(
        () => {
          const sent = telegram.sentMessages();
          for (let j = seen; j < sent.length; j++) {
            const message = sent[j];
            if (message?.chatId === chatId && isCard(message.text)) cardAt = message.at;
          }
          seen = sent.length;
          return cardAt !== undefined;
        },
        ONE_TIMEOUT_MS,
        1,
      );
      const created = lastCreateAnswered(smartypay, queuedAt, 1);
      sequentialInvoiceSamples.push(created === undefined ? ONE_TIMEOUT_MS : created - queuedAt);
      sequentialCardSamples.push(cardAt === undefined ? ONE_TIMEOUT_MS : cardAt - queuedAt);
    }
    const mean = sequentialInvoiceSamples.reduce((a, b) => a + b, 0) / sequentialInvoiceSamples.length;
    const sequentialMsFor200 = mean * P3_CHATS;
    const cardP50Ms = median(sequentialCardSamples);
    log(
      `p3: one at a time, ${round(mean)} ms per invoice, card p50 ${round(cardP50Ms)} ms (${P3_SEQUENTIAL_CHATS} samples) → ${round(sequentialMsFor200)} ms for ${P3_CHATS}`,
    );
    return {
      invoicesMs,
      cardsMs,
      cardsIdealMs,
      cardsRatio: cardsMs / cardsIdealMs,
      cards,
      otherReplies: replied.size - cards,
      rateLimited: telegram.rateLimited(),
      sequentialInvoiceSamples,
      sequentialCardSamples,
      sequentialMsFor200,
      speedup: sequentialMsFor200 / invoicesMs,
      cardP50Ms,
    };
  } finally {
    if (app) await stopApp(app, 'p3');
    await telegram.close();
    await smartypay.close();
    await database.drop();
  }
}
