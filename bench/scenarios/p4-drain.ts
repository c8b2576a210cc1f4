import { startFakeSmartyPay } from '../../test/support/fake-smartypay.js';
import { startFakeTelegram } from '../../test/support/fake-telegram.js';
import { type SeedRow, seedInvoices } from '../lib/database.js';
import { startApp, stopApp } from '../lib/processes.js';
import { log, mapLimit, pollUntil, round, sleep } from '../lib/util.js';
import { isConfirmation, paidWebhook, postWebhook, seedCards } from '../lib/webhooks.js';
import type { BenchContext } from './types.js';

// p4: 1,000 Paid webhooks for 1,000 invoices in 1,000 private chats, fired 50 at a time, while the
// fake Bot API enforces Telegram's limits on new messages (sendMessage): 30 a second overall and one
// a second per chat, answering 429 + retry_after beyond. Drain time = first webhook sent → the
// 1,000th "Payment received" accepted; the ideal is 1000 / 30 s. The card edits (editMessageText)
// also go out but are not limited by the fake (the app still counts them in its own send budget).

export const P4_INVOICES = 1000;
export const P4_RATE = 30;
const WEBHOOK_CONCURRENCY = 50;
const DRAIN_BOUND_MS = 120_000;
const SETTLE_MS = 2000;
const FIRST_CHAT_ID = 40_000_000;

export interface P4Result {
  drainMs: number;
  idealMs: number;
  drainRatio: number;
  lost: number;
  duplicated: number;
  rateLimited: number;
  webhookFailures: number;
  edits: number;
  /** First webhook sent → first confirmation accepted. */
  firstMs: number;
  /** Confirmations per second between the 100th and the 900th. */
  steadyPerSecond: number;
  /** Most sendMessage calls (accepted or not) that arrived at the fake within any 1000 ms. */
  peakAttemptsPerSecond: number;
  /** Whether the fake limited only sendMessage (needs RateLimits.methods in the fake). */
  limitsOnSendMessageOnly: boolean;
}

/** The most calls that arrived within any `windowMs` (sliding). */
function peakInWindow(calls: readonly { at: number }[], windowMs: number): number {
  const times = calls.map((call) => call.at).sort((a, b) => a - b);
  let peak = 0;
  for (let start = 0, end = 0; end < times.length; end++) {
    while ((times[end] as number) - (times[start] as number) >= windowMs) start++;
    peak = Math.max(peak, end - start + 1);
  }
  return peak;
}

export async function runP4(ctx: BenchContext): Promise<P4Result> {
  const database = await ctx.provider.create('p4');
  const telegram = await startFakeTelegram();
  const smartypay = await startFakeSmartyPay();
  let app: Awaited<ReturnType<typeof startApp>> | undefined;
  try {
    const chatIds = Array.from({ length: P4_INVOICES }, (_, i) => FIRST_CHAT_ID + i + 1);
    const cards = await seedCards(telegram, chatIds);
    const rows: SeedRow[] = chatIds.map((chatId) => ({
      smartyPayId: `p4-${chatId}`,
      chatId,
      payMessageId: 1,
      cardMessageId: cards.get(chatId) ?? null,
    }));
    await seedInvoices(database, rows);
    const webhooks = rows.map((row) => paidWebhook(smartypay, row));
    app = await startApp({ telegram, smartypay, database });
    const appUrl = app.url;

    let limitsOnSendMessageOnly = true;
    try {
      telegram.setRateLimits({ globalPerSecond: P4_RATE, perChatPerSecond: 1, methods: ['sendMessage'] });
    } catch (error) {
      // An older fake without `methods`: every chat-targeted call (edits too) is limited.
      limitsOnSendMessageOnly = false;
      log(`p4: the fake cannot limit sendMessage only (${(error as Error).message}); limiting every send`);
      telegram.setRateLimits({ globalPerSecond: P4_RATE, perChatPerSecond: 1 });
    }
    log(`p4: app ready in ${round(app.readyMs)} ms; firing ${P4_INVOICES} webhooks, ${WEBHOOK_CONCURRENCY} at a time`);

    const wanted = new Set(chatIds);
    const started = Date.now();
    const statuses = await mapLimit(webhooks, WEBHOOK_CONCURRENCY, (webhook) => postWebhook(appUrl, webhook));
    const webhookFailures = statuses.filter((status) => status !== 200).length;
    log(`p4: webhooks answered in ${Date.now() - started} ms (${webhookFailures} not 200); draining`);

    const confirmedAt = new Map<number, number>();
    let seen = 0;
    let lastProgress = Date.now();
    await pollUntil(
      () => {
        const sent = telegram.sentMessages();
        for (let i = seen; i < sent.length; i++) {
          const message = sent[i];
          if (
            message &&
            wanted.has(message.chatId) &&
            isConfirmation(message.text) &&
            !confirmedAt.has(message.chatId)
          ) {
            confirmedAt.set(message.chatId, message.at);
          }
        }
        seen = sent.length;
        if (Date.now() - lastProgress > 10_000) {
          lastProgress = Date.now();
          log(`p4: ${confirmedAt.size}/${P4_INVOICES} confirmed after ${round((Date.now() - started) / 1000)} s`);
        }
        return confirmedAt.size === P4_INVOICES;
      },
      DRAIN_BOUND_MS,
      20,
    );
    const drained = confirmedAt.size === P4_INVOICES;
    const drainMs = drained ? Math.max(...confirmedAt.values()) - started : DRAIN_BOUND_MS;
    // Late duplicates (a retried send) would show up shortly after.
    await sleep(SETTLE_MS);
    const confirmations = telegram
      .sentMessages()
      .filter((message) => wanted.has(message.chatId) && isConfirmation(message.text));
    const confirmedChats = new Set(confirmations.map((message) => message.chatId));
    const idealMs = (P4_INVOICES / P4_RATE) * 1000;
    const times = [...confirmedAt.values()].sort((a, b) => a - b);
    const at = (i: number) => times[Math.min(i, times.length - 1)] ?? Number.NaN;
    const result: P4Result = {
      drainMs,
      idealMs,
      drainRatio: drainMs / idealMs,
      lost: P4_INVOICES - confirmedChats.size,
      duplicated: confirmations.length - confirmedChats.size,
      rateLimited: telegram.rateLimited(),
      webhookFailures,
      edits: telegram.callsOf('editMessageText').filter((call) => call.status === 200).length,
      firstMs: at(0) - started,
      steadyPerSecond: (800 / (at(899) - at(99))) * 1000,
      peakAttemptsPerSecond: peakInWindow(
        telegram.callsOf('sendMessage').filter((call) => call.at >= started && wanted.has(call.params.chat_id)),
        1000,
      ),
      limitsOnSendMessageOnly,
    };
    log(
      `p4: drained in ${drainMs} ms (ideal ${round(idealMs)} ms, ratio ${round(result.drainRatio, 2)}); lost ${result.lost}, duplicated ${result.duplicated}, 429s ${result.rateLimited}, card edits ${result.edits}, first after ${result.firstMs} ms, ${round(result.steadyPerSecond, 1)}/s from the 100th to the 900th, peak ${result.peakAttemptsPerSecond} sendMessage calls in 1 s`,
    );
    return result;
  } finally {
    if (app) await stopApp(app, 'p4');
    await telegram.close();
    await smartypay.close();
    await database.drop();
  }
}
