import { startFakeSmartyPay } from '../../test/support/fake-smartypay.js';
import { type FakeTelegram, startFakeTelegram } from '../../test/support/fake-telegram.js';
import { startApp, stopApp } from '../lib/processes.js';
import { log, pollUntil, round, sleep } from '../lib/util.js';
import type { BenchContext } from './types.js';

// p3: 200 `/pay 1 bUSDT` from 200 private chats queued at once while SMARTy Pay answers every call
// after 250 ms: time from queueing them until the fake Bot API accepted all 200 invoice cards.
//
// The sequential reference is measured on the same app process afterwards: 20 more chats, one /pay
// at a time, each queued only after the previous card arrived; the mean per-update time × 200 is what
// handling the burst one update at a time would take. (BOT_CONCURRENCY=1 cannot give this: the
// grammY runner starts every update of a fetched batch at once, and only paces later fetches.)

export const P3_CHATS = 200;
export const P3_SEQUENTIAL_CHATS = 20;
export const P3_LATENCY_MS = 250;
const BURST_TIMEOUT_MS = 30_000;
const ONE_TIMEOUT_MS = 5000;

export interface P3Result {
  /** Queueing the 200 updates → the last card accepted by the fake (BURST_TIMEOUT_MS if not all came). */
  ms: number;
  cards: number;
  /** Chats that got something other than a card (the apology when SMARTy Pay failed). */
  otherReplies: number;
  /** Per-update time when handled one at a time: queueing → its card accepted. */
  sequentialSamples: number[];
  /** Mean sequential per-update time × P3_CHATS. */
  sequentialMsFor200: number;
  speedup: number;
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
    const ms =
      replied.size === P3_CHATS ? Math.max(...[...replied.values()].map((r) => r.at)) - started : BURST_TIMEOUT_MS;
    log(`p3: ${cards}/${P3_CHATS} cards in ${ms} ms, ${replied.size - cards} other replies`);

    // The sequential reference: one update at a time.
    await sleep(200);
    const sequentialSamples: number[] = [];
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
      sequentialSamples.push(cardAt === undefined ? ONE_TIMEOUT_MS : cardAt - queuedAt);
    }
    const mean = sequentialSamples.reduce((a, b) => a + b, 0) / sequentialSamples.length;
    const sequentialMsFor200 = mean * P3_CHATS;
    log(
      `p3: one at a time, ${round(mean)} ms per /pay (${P3_SEQUENTIAL_CHATS} samples) → ${round(sequentialMsFor200)} ms for ${P3_CHATS}`,
    );
    return {
      ms,
      cards,
      otherReplies: replied.size - cards,
      sequentialSamples,
      sequentialMsFor200,
      speedup: sequentialMsFor200 / ms,
    };
  } finally {
    if (app) await stopApp(app, 'p3');
    await telegram.close();
    await smartypay.close();
    await database.drop();
  }
}
