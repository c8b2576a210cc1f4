import { startFakeSmartyPay } from '../../test/support/fake-smartypay.js';
import { startFakeTelegram } from '../../test/support/fake-telegram.js';
import { type SeedRow, seedInvoices } from '../lib/database.js';
import { startApp, stopApp } from '../lib/processes.js';
import { log, percentile, pollUntil, round, sleep } from '../lib/util.js';
import { isConfirmation, paidWebhook, postWebhook, seedCards } from '../lib/webhooks.js';
import type { BenchContext } from './types.js';

// p2: unloaded confirmation latency. One Paid webhook at a time, each for an invoice in its own chat
// (so per-chat pacing never applies), a pause between samples (so the 30/s send budget is never
// short): time from the webhook's HTTP 200 arriving at the sender to the fake Bot API accepting the
// "Payment received" sendMessage for that chat (both clocks are this process's Date.now()).

export const P2_SAMPLES = 100;
const PAUSE_MS = 100;
const FIRST_CHAT_ID = 20_000_000;

export interface P2Result {
  /** From the webhook's 200 response. */
  fromAccepted: number[];
  /** From sending the webhook (includes the webhook's own handling). */
  fromSent: number[];
  failures: number;
  p50Ms: number;
  p99Ms: number;
}

export async function runP2(ctx: BenchContext): Promise<P2Result> {
  const database = await ctx.provider.create('p2');
  const telegram = await startFakeTelegram();
  const smartypay = await startFakeSmartyPay();
  let app: Awaited<ReturnType<typeof startApp>> | undefined;
  try {
    const chatIds = Array.from({ length: P2_SAMPLES }, (_, i) => FIRST_CHAT_ID + i + 1);
    const cards = await seedCards(telegram, chatIds);
    const rows: SeedRow[] = chatIds.map((chatId) => ({
      smartyPayId: `p2-${chatId}`,
      chatId,
      payMessageId: 1,
      cardMessageId: cards.get(chatId) ?? null,
    }));
    await seedInvoices(database, rows);
    app = await startApp({ telegram, smartypay, database });
    log(`p2: app ready in ${round(app.readyMs)} ms; ${P2_SAMPLES} samples, one at a time`);

    const fromAccepted: number[] = [];
    const fromSent: number[] = [];
    let failures = 0;
    let seen = 0; // sentMessages already looked at
    for (const row of rows) {
      const webhook = paidWebhook(smartypay, row);
      const sentAt = Date.now();
      const status = await postWebhook(app.url, webhook);
      const acceptedAt = Date.now();
      let arrivedAt: number | undefined;
      const arrived =
        status === 200 &&
        (await pollUntil(
          () => {
            const sent = telegram.sentMessages();
            for (let i = seen; i < sent.length; i++) {
              const message = sent[i];
              if (message && message.chatId === row.chatId && isConfirmation(message.text)) arrivedAt = message.at;
            }
            seen = sent.length;
            return arrivedAt !== undefined;
          },
          5000,
          1,
        ));
      if (!arrived || arrivedAt === undefined) {
        failures++;
        log(`p2: no confirmation for chat ${row.chatId} (webhook answered ${status})`);
      } else {
        fromAccepted.push(arrivedAt - acceptedAt);
        fromSent.push(arrivedAt - sentAt);
      }
      await sleep(PAUSE_MS);
    }
    const result = {
      fromAccepted,
      fromSent,
      failures,
      p50Ms: percentile(fromAccepted, 50),
      p99Ms: percentile(fromAccepted, 99),
    };
    log(
      `p2: p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms from the 200 (from sending: p50 ${percentile(fromSent, 50)}, p99 ${percentile(fromSent, 99)}); ${failures} failed`,
    );
    return result;
  } finally {
    if (app) await stopApp(app, 'p2');
    await telegram.close();
    await smartypay.close();
    await database.drop();
  }
}
