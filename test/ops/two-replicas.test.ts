import { ne } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../../src/db/client.js';
import { invoices, outbox, telegramUpdates } from '../../src/db/schema.js';
import { appEnv, appStarter, exitWithin, RUNNING_LINE } from '../support/app-process.js';
import { createTestDatabase, TEST_DATABASE_URL } from '../support/database.js';
import { type FakeSmartyPay, startFakeSmartyPay } from '../support/fake-smartypay.js';
import { type FakeTelegram, startFakeTelegram } from '../support/fake-telegram.js';
import { MERCHANT, type TestChat, waitUntil } from '../support/flows.js';

// docs/deploy.md, "Webhook mode: N replicas": two real app processes (as `npm start` runs them) in BOT_MODE=webhook
// on one Postgres database, one fake Telegram and one fake SMARTy Pay. Telegram's updates and SMARTy Pay's webhooks
// reach either replica, some twice (a redelivery to the other node); each /pay still makes one invoice, each payment
// one confirmation and one card edit, the shared outbox is drained by both without double sends, and both together
// stay inside one Telegram send budget. Only what Telegram, SMARTy Pay, the database and the logs show is asserted.

// Postgres only: PGlite is embedded and single-process (one opener per data directory), so replicas cannot share it.

const SECRET = 'two-replicas-webhook-secret_0123';
const PUBLIC_URL = 'https://bot.example.com';
/** Chats, /pay updates, invoices and payments: enough that the confirmations need the shared budget (~2 s). */
const N = 60;
const FIRST_CHAT_ID = 2_600_000;

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

/** Starts the app; a test that fails midway still leaves no process behind. */
const start = appStarter((step) => cleanups.push(step));

async function post(url: string, body: string, headers: Record<string, string>) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await response.text();
  let json: Record<string, any> = {};
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON; the status tells
  }
  return { status: response.status, json };
}

/** The most arrivals in any window shorter than `windowMs` (sorted times). */
function maxInWindow(times: number[], windowMs = 1_000): number {
  let max = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while ((times[i] ?? 0) - (times[j] ?? 0) >= windowMs) j++;
    max = Math.max(max, i - j + 1);
  }
  return max;
}

describe.skipIf(!TEST_DATABASE_URL)('two webhook-mode replicas on one Postgres', () => {
  it('updates and payment webhooks to either replica (and redelivered to the other) → one invoice, one confirmation, one card edit each; one shared send budget', async () => {
    const telegram: FakeTelegram = await startFakeTelegram();
    const smartypay: FakeSmartyPay = await startFakeSmartyPay();
    const database = await createTestDatabase();
    cleanups.push(
      () => database.drop(),
      () => smartypay.close(),
      () => telegram.close(),
    );
    // Migrations first, from one opener: the migrator takes no lock across processes (docs/deploy.md). The handle
    // then watches the rows while the replicas run.
    const observer: DatabaseHandle = await openDatabase({ url: database.url, dataDir: database.dataDir, poolMax: 2 });
    cleanups.push(() => observer.close());

    const env = appEnv({ telegram, smartypay }, database, {
      BOT_MODE: 'webhook',
      PUBLIC_URL,
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      LOG_LEVEL: 'debug',
      SHUTDOWN_TIMEOUT_MS: '3000',
    });
    const apps = [start(env), start(env)] as const;
    const urls = await Promise.all(apps.map((app) => app.ready(60_000)));
    const [urlA, urlB] = urls as [string, string];
    expect(urlA).not.toBe(urlB);

    // 1. Each replica registers the webhook with the URL and the secret; neither long-polls.
    await Promise.all(apps.map((app) => app.waitForLog('Telegram delivers updates to this URL (webhook mode)', 5_000)));
    for (const app of apps) {
      expect(app.logs().find((l) => l.msg === 'Telegram delivers updates to this URL (webhook mode)')?.webhookUrl).toBe(
        `${PUBLIC_URL}/telegram/webhook`,
      );
    }
    const registrations = telegram.callsOf('setWebhook');
    expect(registrations).toHaveLength(2);
    for (const call of registrations) {
      expect(call.status).toBe(200);
      expect(call.params).toMatchObject({
        url: `${PUBLIC_URL}/telegram/webhook`,
        secret_token: SECRET,
        allowed_updates: ['message', 'callback_query', 'inline_query', 'chosen_inline_result', 'chat_join_request'],
      });
    }
    expect(telegram.callsOf('getUpdates')).toHaveLength(0);
    expect(telegram.callsOf('deleteWebhook')).toHaveLength(0);

    // 2. N /pay updates, each POSTed to one replica (round robin) and, at the same time, again to the other one.
    const chats: TestChat[] = Array.from({ length: N }, (_, i) => ({ id: FIRST_CHAT_ID + i, type: 'private' }));
    // sendText builds a realistic update (ids from the fake's counters); nobody polls its queue in webhook mode.
    const updates = chats.map((chat, i) =>
      telegram.sendText({ chat, from: MERCHANT, text: `/pay 1.5 bUSDT order ${i}` }),
    );
    const pushedAt = Date.now();
    const pushes = await Promise.all(
      updates.flatMap(({ update }, i) => {
        const body = JSON.stringify(update);
        const headers = { 'x-telegram-bot-api-secret-token': SECRET };
        return [urls[i % 2], urls[(i + 1) % 2]].map((url) => post(`${url}/telegram/webhook`, body, headers));
      }),
    );
    expect(pushes.map((p) => p.status)).toEqual(Array(2 * N).fill(200));
    // For every update exactly one of its two deliveries was first; the other was recognised as a redelivery.
    expect(pushes.filter((p) => p.json.duplicate === true)).toHaveLength(N);

    const cardsOf = (chat: TestChat) => telegram.sentMessages().filter((m) => m.chatId === chat.id);
    await waitUntil(
      () => chats.every((chat) => cardsOf(chat).length > 0),
      20_000,
      () => {
        const missing = chats.filter((chat) => cardsOf(chat).length === 0).length;
        return `an invoice card in every chat (${missing} of ${N} missing)`;
      },
    );
    const lastCardAt = Math.max(...chats.map((chat) => cardsOf(chat)[0]?.at ?? 0));
    // The card's message id is recorded right after Telegram answered: the Paid edits below need it.
    await waitUntil(
      async () => (await observer.db.select().from(invoices)).filter((row) => row.cardMessageId !== null).length >= N,
      10_000,
      'every card recorded on its invoice',
    );
    // Redeliveries were answered as duplicates and never handled; the N first deliveries are all handled once each
    // replica has logged its invoices, so the counts below are final.
    const issuedCount = () =>
      apps.reduce((sum, app) => sum + app.logs().filter((l) => l.msg === 'invoice issued').length, 0);
    await waitUntil(
      () => issuedCount() >= N,
      10_000,
      () => `${N} "invoice issued" lines (so far ${issuedCount()})`,
    );

    expect(smartypay.createdInvoices()).toHaveLength(N);
    expect(smartypay.requests.filter((r) => r.method === 'POST')).toHaveLength(N);
    for (const chat of chats) expect(cardsOf(chat)).toHaveLength(1);
    const rows = await observer.db.select().from(invoices);
    expect(rows).toHaveLength(N);
    expect(new Set(rows.map((row) => row.chatId)).size).toBe(N);
    for (const row of rows) {
      const card = cardsOf({ id: row.notifyChatId, type: 'private' })[0];
      expect(row.cardMessageId).toBe(card?.message_id);
      expect(card?.text).toContain('1.5 bUSDT');
    }
    expect(await observer.db.select().from(telegramUpdates)).toHaveLength(N);
    const issuedBy = apps.map((app) => app.logs().filter((l) => l.msg === 'invoice issued').length);
    expect(issuedBy.reduce((a, b) => a + b, 0)).toBe(N);

    // 3 + 5. Every invoice is paid; SMARTy Pay's signed webhook reaches both replicas at once. Telegram enforces its
    // flood limits from here on: 30 messages a second overall, one a second per chat.
    telegram.setRateLimits({ globalPerSecond: 30, perChatPerSecond: 1, methods: ['sendMessage'] });
    const limitedFrom = Date.now();
    const remotes = smartypay.createdInvoices();
    const webhookBodies = remotes.map((remote) => {
      smartypay.setStatus(remote.id, 'Paid');
      return smartypay.webhookBody(remote.id); // one eventId per invoice, the same bytes to both replicas
    });
    const webhooksAt = Date.now();
    const deliveries = await Promise.all(
      webhookBodies.flatMap((body) => {
        const headers = { 'x-sp-digest': smartypay.sign(body) };
        return urls.map((url) => post(`${url}/webhooks/smartypay`, body, headers));
      }),
    );
    const webhooksAnsweredMs = Date.now() - webhooksAt;
    expect(deliveries.map((d) => d.status)).toEqual(Array(2 * N).fill(200));
    // Both copies are stored and answered; applying them, one of each pair applies and one is a duplicate (the
    // webhook_events_total check below).
    expect(deliveries.map((d) => d.json)).toEqual(Array(2 * N).fill({ ok: true }));

    const confirmationsOf = (chatId: number) =>
      telegram.sentMessages().filter((m) => m.chatId === chatId && m.text.includes('Payment received'));
    const confirmations = () => telegram.sentMessages().filter((m) => m.text.includes('Payment received'));
    const edits = () => chats.reduce((sum, chat) => sum + (telegram.messages(chat.id)[0]?.edits ?? 0), 0);
    await waitUntil(
      () => confirmations().length >= N && edits() >= N,
      20_000,
      () => `${N} confirmations and ${N} card edits (so far ${confirmations().length} and ${edits()})`,
    );
    const drainedAt = Date.now();
    // Every row marked sent and logged: neither replica has anything left to send, so a duplicate would show now.
    const sentCount = () =>
      apps.reduce((sum, app) => sum + app.logs().filter((l) => l.msg === 'notification sent').length, 0);
    await waitUntil(
      async () =>
        (await observer.db.select({ id: outbox.id }).from(outbox).where(ne(outbox.status, 'sent')).limit(1)).length ===
          0 && sentCount() >= 3 * N,
      20_000,
      // The card, the confirmation and the card edit: a row is marked sent before its log line reaches us.
      () => `every notification sent and logged (logged so far ${sentCount()} of ${3 * N})`,
    );

    for (const chat of chats) {
      expect(confirmationsOf(chat.id)).toHaveLength(1);
      const [card, reply, ...more] = telegram.messages(chat.id);
      expect(card?.edits).toBe(1);
      expect(card?.text).toContain('Paid');
      expect(reply?.text).toContain('Payment received');
      expect(more).toHaveLength(0);
    }

    // 5. One budget for both: Telegram never had to refuse a message, and no 1 s window saw more than 30.
    const limitedTimes = telegram
      .sentMessages()
      .filter((m) => m.at >= limitedFrom)
      .map((m) => m.at)
      .sort((a, b) => a - b);
    expect(limitedTimes).toHaveLength(N);
    const maxPerSecond = maxInWindow(limitedTimes);
    const rateLimited = telegram.rateLimited();
    const confirmationTimes = confirmations()
      .map((m) => m.at)
      .sort((a, b) => a - b);
    const firstToLastMs = (confirmationTimes.at(-1) ?? 0) - (confirmationTimes[0] ?? 0);

    // 4. The outbox was drained by both replicas: each "notification sent" (debug, with the outbox id) once overall.
    const sentIds = apps.map((app) =>
      app
        .logs()
        .filter((l) => l.msg === 'notification sent')
        .map((l) => Number(l.outboxId)),
    );
    const sentKinds = apps.map((app) => {
      const kinds: Record<string, number> = {};
      for (const l of app.logs()) if (l.msg === 'notification sent') kinds[l.kind] = (kinds[l.kind] ?? 0) + 1;
      return kinds;
    });
    const appliedBy = apps.map(
      (app) => app.logs().filter((l) => l.msg === 'webhook applied' && l.outcome === 'applied').length,
    );
    const allSent = sentIds.flat();

    console.info(
      `[measured] two replicas, N=${N}: ${2 * N} /pay deliveries → ${N} cards in ${lastCardAt - pushedAt} ms ` +
        `(issued per process ${issuedBy.join(' + ')})`,
    );
    console.info(
      `[measured] two replicas: ${2 * N} Paid webhooks answered in ${webhooksAnsweredMs} ms (applied per process ` +
        `${appliedBy.join(' + ')}); ${N} confirmations + ${N} card edits drained ${drainedAt - webhooksAt} ms after ` +
        `the first webhook, confirmations first → last ${firstToLastMs} ms ` +
        `(${((N - 1) / Math.max(1, firstToLastMs / 1000)).toFixed(1)} msg/s)`,
    );
    console.info(
      `[measured] two replicas: notifications sent per process ${sentIds.map((ids) => ids.length).join(' + ')} ` +
        `(${sentKinds.map((k) => JSON.stringify(k)).join(' / ')}); max ${maxPerSecond} sendMessage in any 1 s ` +
        `window; ${rateLimited} answered 429`,
    );

    expect(rateLimited).toBe(0);
    expect(maxPerSecond).toBeLessThanOrEqual(30);
    expect(sentIds.every((ids) => ids.length > 0)).toBe(true);
    // Per invoice: its card, the confirmation and the card edit.
    expect(allSent).toHaveLength(3 * N);
    expect(new Set(allSent).size).toBe(allSent.length);
    const notifications = await observer.db.select().from(outbox);
    expect(notifications).toHaveLength(3 * N);
    expect(new Set(notifications.map((n) => n.id))).toEqual(new Set(allSent));
    for (const n of notifications) {
      expect([n.kind, n.status, n.attempts]).toEqual([n.kind, 'sent', 1]);
    }
    expect(notifications.filter((n) => n.kind === 'paid_reply')).toHaveLength(N);
    expect(notifications.filter((n) => n.kind === 'card_paid')).toHaveLength(N);
    expect(notifications.filter((n) => n.kind === 'new_card')).toHaveLength(N);

    // The replicas' /metrics add up to the whole: every invoice created and paid once, every Paid
    // webhook applied by exactly one replica and seen as a duplicate by the other.
    // Each replica serves /metrics on its own loopback port (METRICS_PORT=0), named in its "is running" line.
    const metricsUrls = apps.map((app) =>
      String(app.logs().find((line) => RUNNING_LINE.test(String(line.msg)))?.metricsUrl),
    );
    const scrape = async (url: string) => (await fetch(url)).text();
    const sample = (text: string, series: string) =>
      Number(new RegExp(`^${series.replace(/[{}"]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
    const scraped = await Promise.all(metricsUrls.map(scrape));
    const total = (series: string) => scraped.reduce((sum, text) => sum + sample(text, series), 0);
    expect(total('invoices_created_total{token="bUSDT"}')).toBe(N);
    expect(total('invoices_paid_total{token="bUSDT"}')).toBe(N);
    expect(total('webhook_requests_total{outcome="accepted"}')).toBe(2 * N);
    expect(total('webhook_events_total{outcome="applied"}')).toBe(N);
    expect(total('webhook_events_total{outcome="duplicate"}')).toBe(N);
    expect(total('telegram_api_errors_total{code="429"}')).toBe(0);

    // A call without Telegram's secret is refused by a real replica too.
    const forged = await fetch(`${urlA}/telegram/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'not-the-secret-0000' },
      body: JSON.stringify({ update_id: 1, message: { message_id: 1, date: 0, chat: { id: 1, type: 'private' } } }),
    });
    expect(forged.status).toBe(401);

    // Stopped with SIGTERM, both exit 0 and still never polled; nothing was logged as an error.
    for (const app of apps) app.child.kill('SIGTERM');
    expect(await Promise.all(apps.map((app) => exitWithin(app, 10_000)))).toEqual([0, 0]);
    expect(telegram.callsOf('getUpdates')).toHaveLength(0);
    for (const app of apps) {
      expect(app.logs().at(-1)?.msg).toBe('stopped');
      expect(app.logs().filter((line) => line.level >= 50)).toEqual([]);
    }
  }, 60_000);
});
