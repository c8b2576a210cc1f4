import { Api, type Transformer } from 'grammy';
import type { Logger } from 'pino';
import { createAccessGrants } from '../access/grants.js';
import { createAccessService } from '../access/service.js';
import { createChatSettings } from '../chats/settings.js';
import type { Config } from '../config.js';
import type { DatabaseHandle } from '../db/client.js';
import { createRetention } from '../db/retention.js';
import { createTranslator, pickLocale } from '../i18n/index.js';
import { createInlineDrafts } from '../invoices/inline-drafts.js';
import { createInvoiceLifecycle } from '../invoices/lifecycle.js';
import { createRateQuota } from '../invoices/quota.js';
import { createRecheckBudget } from '../invoices/recheck-budget.js';
import { createReconciler } from '../invoices/reconciler.js';
import { createInvoiceReports } from '../invoices/reports.js';
import { createInvoiceService } from '../invoices/service.js';
import { createWebhookInbox } from '../invoices/webhook-inbox.js';
import { createMetrics } from '../metrics.js';
import { createAccessLapse } from '../notify/access-lapse.js';
import { createAccessRenewal } from '../notify/access-renewal.js';
import { createOutboxWorker, outboxApiTimeoutSeconds } from '../notify/outbox.js';
import { createOutboxMonitor } from '../notify/outbox-monitor.js';
import { outboxPacing } from '../notify/pacing.js';
import { createSmartyPayClient } from '../payments/client.js';
import { createKeyHolds } from '../products/key-holds.js';
import { createProductSales } from '../products/sales.js';
import { createProductService } from '../products/service.js';
import { htmlParseMode } from '../telegram/parse-mode.js';
import { spaceNewMessages } from '../telegram/send-spacing.js';

// The services both the bot and the webhooks call, and the workers behind them: plain objects over the open
// database. Nothing here runs until start.ts starts the workers.

export interface ServiceDeps {
  logger: Logger;
  now: () => Date;
  database: DatabaseHandle;
  /** Aborted at the shutdown deadline: every Telegram call made through `telegramApi` ends then. */
  telegramCalls: AbortSignal;
  /** The bot's @username (getMe): links to a product in messages the bot sends on its own. */
  botUsername: string;
}

export type Services = ReturnType<typeof createServices>;

export function createServices(config: Config, { logger, now, database, telegramCalls, botUsername }: ServiceDeps) {
  const { db, query } = database;
  const chatSettings = createChatSettings({ db, now });
  const translator = createTranslator({
    localeOf: async (ctx) =>
      (ctx.chat && (await chatSettings.locale(ctx.chat.id))) ?? pickLocale(ctx.from?.language_code),
  });
  const outboxMonitor = createOutboxMonitor({ db, logger, now });
  // Before the metrics: its gauges read the shop's totals.
  const products = createProductService({ db, now });
  const metrics = createMetrics({
    readOutbox: () => outboxMonitor.snapshot(),
    readShop: () => products.totals(),
    readAccess: () => accessGrants.activeCounts(),
    logger,
  });

  // Request signatures carry wall-clock time (SMARTy Pay rejects skewed ones), not the domain clock.
  const payments = createSmartyPayClient({
    apiKey: config.smartyPay.apiKey,
    secretKey: config.smartyPay.secretKey,
    host: config.smartyPay.apiHost,
    timeoutMs: config.smartyPay.timeoutMs,
    maxInFlight: config.smartyPay.maxInFlight,
  });
  // Before the domain services: whoever commits outbox rows (issue, transition, reminders) wakes it.
  // Its own client: HTML like the bot's, but no auto-retry (the outbox has its own backoff under a lease).
  const outboxApi = telegramApi(config, outboxApiTimeoutSeconds(config.outbox.leaseMs), telegramCalls);
  outboxApi.config.use(htmlParseMode);
  // The last check before a message leaves: two short of Telegram's limit in any second, whatever the loop delayed
  // after the claim (the budget allows max - 3 a second; this only evens out sends bunched on their way).
  outboxApi.config.use(spaceNewMessages(Math.max(1, config.telegramPacing.perSecond - 2)));
  const accessGrants = createAccessGrants({ db, now, metrics });
  const outbox = createOutboxWorker({
    db,
    accessGrants,
    // The invoices service needs the outbox first (it wakes it); the worker calls it only once started.
    accessNotices: { botUsername, renewals: { issueRenewal: (input) => invoices.issueRenewal(input) } },
    api: outboxApi,
    logger,
    translator,
    now,
    leaseMs: config.outbox.leaseMs,
    maxAgeMs: config.outbox.maxAgeMs,
    pacing: outboxPacing(config.telegramPacing),
    metrics,
  });
  const invoices = createInvoiceService({
    db,
    query,
    payments,
    logger,
    checkoutUrl: config.smartyPay.checkoutUrl,
    ttlMinutes: config.invoiceTtlMinutes,
    reminderMinutes: config.reminderMinutes,
    now,
    metrics,
    outbox,
  });
  // SMARTy Pay's webhooks are stored by the route and applied from here.
  const webhookInbox = createWebhookInbox({ query, invoices, logger, metrics });
  // One re-check budget for the reconciler and "Check status" taps together.
  const recheckBudget = createRecheckBudget({ maxPerMinute: config.recheck.maxPerMinute, now });
  const rateQuota = createRateQuota({ query, now });
  const lifecycle = createInvoiceLifecycle({
    db,
    query,
    payments,
    invoices,
    logger,
    now,
    budget: recheckBudget,
    perUser: { quota: rateQuota, perMinute: config.checkStatusPerUserPerMinute },
    outbox,
  });
  const inlineDrafts = createInlineDrafts({ db, now });
  // The shop's keys: held before SMARTy Pay is asked; the reconciler returns lapsed ones to stock.
  const keyHolds = createKeyHolds({ db, logger, now });
  const sales = createProductSales({ invoices, keys: keyHolds });
  const reports = createInvoiceReports({ db, now });

  // Its own client: removals run from the reconciler's loop (and /revoke); their messages go through the outbox.
  const accessLapse = createAccessLapse({
    db,
    api: telegramApi(config, 10, telegramCalls),
    outbox,
    logger,
    now,
    graceMs: config.accessGraceMinutes * 60_000,
    merchantUserIds: config.merchantUserIds ?? [],
    onRemoved: () => metrics.accessRemovals.inc(),
  });
  const accessRenewal = createAccessRenewal({ db, outbox, now, reminderHours: config.accessReminderHours });

  const reconciler = createReconciler({
    db,
    payments,
    invoices,
    logger,
    now,
    budget: recheckBudget,
    intervalMs: config.recheck.intervalMs,
    reminders: lifecycle,
    access: {
      sweep: async () => {
        await accessRenewal.enqueueDueReminders();
        await accessLapse.removeLapsed();
      },
      stop: () => accessLapse.stop(),
    },
    drafts: inlineDrafts,
    keys: keyHolds,
  });

  // Paid access asks Telegram about chats (getChat, getChatMember) with a client of its own.
  const access = createAccessService({ db, api: telegramApi(config, 10, telegramCalls), now });

  const retention = createRetention({ database, logger, now, retentionDays: config.dataRetentionDays, metrics });

  return {
    chatSettings,
    translator,
    metrics,
    invoices,
    lifecycle,
    rateQuota,
    inlineDrafts,
    reports,
    products,
    sales,
    access,
    accessGrants,
    accessLapse,
    workers: { outbox, webhookInbox, reconciler, outboxMonitor, retention },
  };
}

/** A Telegram client of its own (its own per-call timeout) whose calls end when `calls` aborts. */
export function telegramApi(config: Config, timeoutSeconds: number, calls: AbortSignal): Api {
  const api = new Api(config.botToken, { apiRoot: config.telegramApiRoot, timeoutSeconds });
  api.config.use(abortWith(calls));
  return api;
}

/**
 * Calls through the Api end when `signal` aborts (grammY takes a signal per call, none per client). A call with its
 * own signal (the runner's getUpdates, which its stop() aborts) keeps it: combining them with AbortSignal.any on
 * every long poll would pile up signals tied to this long-lived one.
 */
export function abortWith(signal: AbortSignal): Transformer {
  // grammY types signals with its abort-controller shim; a native one is what its fetch uses.
  const shutdown = signal as NonNullable<Parameters<Transformer>[3]>;
  return (prev, method, payload, callSignal) => prev(method, payload, callSignal ?? shutdown);
}
