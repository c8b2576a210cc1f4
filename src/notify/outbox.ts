import { and, eq, isNotNull, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Api } from 'grammy';
import type { Logger } from 'pino';
import type { AccessGrants } from '../access/grants.js';
import type { Database } from '../db/client.js';
import {
  chatSettings,
  type InvoiceRow,
  invoices,
  type OutboxRow,
  outbox,
  productKeys,
  products,
} from '../db/schema.js';
import type { Translator } from '../i18n/index.js';
import type { Metrics, NotificationResult } from '../metrics.js';
import type { RenderedMessage } from '../views/messages.js';
import { createAccessInviter } from './access-invite.js';
import { type AccessNoticesDeps, createAccessNotices, isAccessRow } from './access-notices.js';
import { createOutboxClaims } from './claims.js';
import { sendContent } from './deliver-content.js';
import { backoffMs, classifyTelegramFailure, type FailureDecision, telegramErrorCode } from './failures.js';
import { createPacer, type PacingOptions } from './pacing.js';
import { createNotificationRenderer, type InvoiceOutboxRow, type ShopFacts } from './render.js';

// Sends what the invoices service enqueued, at least once and normally exactly once:
// a row is claimed under a short lease (FOR UPDATE SKIP LOCKED, so several workers or
// processes can share the table), sent, then marked. A crash between Telegram accepting a
// message and us recording it can repeat that one message after the lease; nothing is lost.

/**
 * The per-call timeout of the outbox's own Telegram client: a third of the lease, so a hung call cannot outlive
 * the lease and be sent again by another worker while Telegram is still processing it.
 */
export function outboxApiTimeoutSeconds(leaseMs: number): number {
  return Math.max(1, Math.floor(leaseMs / 3000));
}

export interface OutboxWorkerDeps {
  db: Database;
  /** An Api whose per-call timeout is well below `leaseMs` (`outboxApiTimeoutSeconds`). */
  api: Api;
  logger: Logger;
  /** Texts are rendered at send time: replies in the chat's /lang choice, else the invoice's locale; card edits in the invoice's locale (./render.ts). */
  translator: Translator;
  now?: () => Date;
  random?: () => number;
  leaseMs?: number;
  pollIntervalMs?: number;
  batchSize?: number;
  /** After this long a transiently failing notification is given up and logged as an error. */
  maxAgeMs?: number;
  pacing?: Partial<PacingOptions>;
  /** Sends waiting on Telegram at once. */
  maxInFlight?: number;
  metrics?: Metrics;
  /** Paid access: the grants a paid invoice's `access_invite` extends (without it such rows are skipped). */
  accessGrants?: Pick<AccessGrants, 'grantForPayment' | 'setInviteLink'>;
  /**
   * Paid access's own rows (renewal with its invoice, removal, lost rights; ./access-notices.ts): the bot's
   * username for Buy again and the issuer of renewal invoices. Without it such rows are skipped.
   */
  accessNotices?: Pick<AccessNoticesDeps, 'botUsername' | 'renewals'>;
}

export interface OutboxWorker {
  /** Ask for a drain now (called right after a webhook commits). */
  wake(): void;
  start(): void;
  /** Stops claiming and waits (bounded) for sends in flight. */
  stop(timeoutMs?: number): Promise<void>;
  /** Claims and processes one batch; returns how many rows it handled. For tests and the loop. */
  drainOnce(): Promise<number>;
  /**
   * For tests: sends until no row is due and none is being sent (here or by another process), so that what did
   * not happen can be asserted without sleeping. Rows held back by chat pacing or the send budget are waited for;
   * rows due later (a backoff, a 429's retry_after) are not. Rejects after `timeoutMs`.
   */
  drain(timeoutMs?: number): Promise<void>;
}

type Outcome =
  | { status: 'sent' | 'skipped' | 'failed'; note?: string }
  | { status: 'pending'; note: string; nextAttemptAt: Date };

const RESULT_OF: Record<Outcome['status'], NotificationResult> = {
  sent: 'sent',
  skipped: 'skipped',
  failed: 'failed',
  pending: 'retry',
};

export function createOutboxWorker(deps: OutboxWorkerDeps): OutboxWorker {
  const { db, api, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const random = deps.random ?? Math.random;
  const leaseMs = deps.leaseMs ?? 30_000;
  const pollIntervalMs = deps.pollIntervalMs ?? 1000;
  const batchSize = deps.batchSize ?? 20;
  const maxAgeMs = deps.maxAgeMs ?? 24 * 60 * 60_000;

  const pacer = createPacer(deps.pacing);
  const { claim, msUntilNextDue, isIdle } = createOutboxClaims({ db, pacer, now, leaseMs, batchSize });
  const pacingPollMs = 100;
  const inFlight = new Set<Promise<void>>();
  const maxInFlight = deps.maxInFlight ?? 100;
  let running = false;
  let wakeRequested = false;
  let timer: NodeJS.Timeout | undefined;
  let loop: Promise<void> | undefined;

  const render = createNotificationRenderer({ translator: deps.translator, now });
  const accessGrants = deps.accessGrants;
  const sendAccessInvite =
    accessGrants && createAccessInviter({ api, grants: accessGrants, translator: deps.translator });
  const sendAccessNotice =
    deps.accessNotices && createAccessNotices({ db, api, translator: deps.translator, ...deps.accessNotices });
  /** A remainder's original, or an original's remainder ("Pay the remaining"). */
  const linked = alias(invoices, 'linked');

  /**
   * The one place the invoice card is edited. Inline mode: the card is the inline message itself, possibly in
   * a chat the bot is not in, edited by its inline_message_id.
   */
  async function editCard(invoice: InvoiceRow, cardMessageId: number | null, card: RenderedMessage): Promise<void> {
    const options = {
      // Absent markup removes the buttons: a closed card keeps no Pay button.
      ...(card.replyMarkup && { reply_markup: card.replyMarkup }),
    };
    if (invoice.inlineMessageId !== null) {
      await api.editMessageTextInline(invoice.inlineMessageId, card.text, options);
    } else if (cardMessageId !== null && invoice.chatId !== null) {
      // The card is in the chat the invoice lives in.
      await api.editMessageText(invoice.chatId, cardMessageId, card.text, options);
    }
  }

  async function send(
    row: InvoiceOutboxRow,
    invoice: InvoiceRow,
    chatLocale: string | null,
    linked: InvoiceRow | null,
    shop: ShopFacts,
  ): Promise<Outcome> {
    if (row.kind === 'access_invite') {
      if (!sendAccessInvite) return { status: 'skipped', note: 'paid access is not wired here' };
      return sendAccessInvite(invoice, shop.product, chatLocale ?? invoice.locale);
    }
    const notification = render(row, invoice, chatLocale, linked, shop);
    if (notification.kind === 'skip') return { status: 'skipped', note: notification.note };
    if (notification.kind === 'content') {
      await sendContent(api, invoice.notifyChatId, notification.content, notification.replyTo);
      return { status: 'sent' };
    }
    if (notification.kind === 'edit') {
      await editCard(invoice, notification.cardMessageId, notification.card);
      return { status: 'sent' };
    }
    const { message, replyTo } = notification;
    // A sale notice goes to the product's merchant; everything else to where the invoice's messages go.
    const sent = await api.sendMessage(notification.chatId ?? invoice.notifyChatId, message.text, {
      ...(message.replyMarkup && { reply_markup: message.replyMarkup }),
      // The /pay message may have been deleted; the confirmation must arrive regardless. Inline invoices have none.
      ...(replyTo !== null && { reply_parameters: { message_id: replyTo, allow_sending_without_reply: true } }),
      link_preview_options: { is_disabled: true },
    });
    // Recorded before the row is marked sent: the card's edits are claimed only after that (claims.ts).
    if (notification.isCard) await recordCard(invoice.id, sent.message_id);
    return { status: 'sent' };
  }

  async function recordCard(invoiceId: number, cardMessageId: number): Promise<void> {
    await db.update(invoices).set({ cardMessageId, updatedAt: now() }).where(eq(invoices.id, invoiceId));
  }

  async function migrateChat(oldChatId: number, newChatId: number): Promise<void> {
    await db.transaction(async (tx) => {
      await tx.update(invoices).set({ chatId: newChatId }).where(eq(invoices.chatId, oldChatId));
      await tx.update(invoices).set({ notifyChatId: newChatId }).where(eq(invoices.notifyChatId, oldChatId));
      await tx.update(outbox).set({ chatId: newChatId }).where(eq(outbox.chatId, oldChatId));
      // The chat's /lang choice moves too, unless the supergroup already has its own.
      await tx
        .update(chatSettings)
        .set({ chatId: newChatId })
        .where(
          and(
            eq(chatSettings.chatId, oldChatId),
            sql`not exists (select 1 from chat_settings where chat_id = ${newChatId})`,
          ),
        );
    });
    logger.info({ oldChatId, newChatId }, 'chat migrated to a supergroup; invoices and settings moved');
  }

  async function decide(row: OutboxRow, decision: FailureDecision): Promise<Outcome> {
    const at = now().getTime();
    switch (decision.action) {
      case 'done':
        return { status: 'sent', note: decision.reason };
      case 'skip':
        return { status: 'skipped', note: decision.reason };
      case 'fail':
        return { status: 'failed', note: decision.reason };
      case 'wait':
        await pacer.holdChat(db, row.chatId, new Date(at + decision.seconds * 1000));
        return { status: 'pending', note: decision.reason, nextAttemptAt: new Date(at + decision.seconds * 1000) };
      case 'migrate':
        await migrateChat(row.chatId, decision.newChatId);
        return { status: 'pending', note: decision.reason, nextAttemptAt: new Date(at) };
      case 'retry': {
        if (at - row.createdAt.getTime() > maxAgeMs) {
          return { status: 'failed', note: `gave up after ${row.attempts} attempts: ${decision.reason}` };
        }
        return {
          status: 'pending',
          note: decision.reason,
          nextAttemptAt: new Date(at + backoffMs(row.attempts, random)),
        };
      }
    }
  }

  /** Sends one row; a failed Telegram call (or create) is classified: sent, retried later, skipped or failed. */
  async function attempt(row: OutboxRow, sending: () => Promise<Outcome>): Promise<Outcome> {
    try {
      return await sending();
    } catch (error) {
      deps.metrics?.telegramApiErrors.inc({ code: telegramErrorCode(error) });
      return decide(row, classifyTelegramFailure(error));
    }
  }

  async function deliver(row: OutboxRow): Promise<void> {
    const outcome = isAccessRow(row)
      ? await attempt(row, async () =>
          sendAccessNotice ? sendAccessNotice(row) : { status: 'skipped', note: 'paid access is not wired here' },
        )
      : await deliverForInvoice(row);
    record(row, outcome);
    await db
      .update(outbox)
      .set({
        status: outcome.status,
        leaseUntil: null,
        lastError: outcome.status === 'sent' ? null : (outcome.note ?? null),
        nextAttemptAt: outcome.status === 'pending' ? outcome.nextAttemptAt : undefined,
        sentAt: outcome.status === 'sent' ? now() : undefined,
      })
      .where(
        // Only while the lease is still ours: after it lapsed another worker may own the row.
        and(eq(outbox.id, row.id), eq(outbox.status, 'sending'), eq(outbox.leaseUntil, row.leaseUntil ?? new Date(0))),
      );
  }

  function record(row: OutboxRow, outcome: Outcome): void {
    deps.metrics?.notifications.inc({ kind: row.kind, result: RESULT_OF[outcome.status] });
    const log = { outboxId: row.id, kind: row.kind, chatId: row.chatId, attempts: row.attempts, note: outcome.note };
    if (outcome.status === 'failed') logger.error(log, 'notification failed for good');
    else if (outcome.status === 'pending') logger.warn(log, 'notification will be retried');
    else logger.debug(log, `notification ${outcome.status}`);
  }

  async function deliverForInvoice(row: InvoiceOutboxRow): Promise<Outcome> {
    // The invoice as it is now, with the chat's /lang choice, the other invoice of a two-part sale and the product it
    // sells (the shop), in one query.
    const [found] = row.invoiceId
      ? await db
          .select({
            invoice: invoices,
            chatLocale: chatSettings.locale,
            linked,
            product: products,
            soldKey: productKeys.key,
          })
          .from(invoices)
          .leftJoin(chatSettings, eq(chatSettings.chatId, invoices.notifyChatId))
          .leftJoin(products, eq(products.id, invoices.productId))
          .leftJoin(productKeys, and(eq(productKeys.invoiceId, invoices.id), isNotNull(productKeys.soldAt)))
          .leftJoin(
            linked,
            or(eq(linked.id, invoices.remainderOfInvoiceId), eq(linked.remainderOfInvoiceId, invoices.id)),
          )
          .where(eq(invoices.id, row.invoiceId))
          .limit(1)
      : [];
    const invoice = found?.invoice;
    if (!found || !invoice) return { status: 'failed', note: 'invoice row not found' };
    return attempt(row, () =>
      send(row, invoice, found.chatLocale, found.linked, { product: found.product, soldKey: found.soldKey }),
    );
  }

  async function drainOnce(): Promise<number> {
    const { rows } = await claim();
    await Promise.all(rows.map((row) => deliver(row)));
    return rows.length;
  }

  async function drain(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await Promise.all(inFlight);
      if ((await drainOnce()) > 0) continue;
      if (inFlight.size === 0 && (await isIdle())) return;
      if (Date.now() > deadline) throw new Error(`the outbox still had work after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /**
   * Claims keep going while sends are in flight: throughput is set by the send budget, not by
   * Telegram's latency. At most `maxInFlight` sends wait on Telegram at once.
   */
  async function runLoop(): Promise<void> {
    while (running) {
      wakeRequested = false;
      if (inFlight.size >= maxInFlight) {
        await Promise.race(inFlight);
        continue;
      }
      let sleepMs = pollIntervalMs;
      let wakeable = true;
      try {
        const { rows, retryInMs } = await claim();
        for (const row of rows) {
          const sending: Promise<void> = deliver(row)
            .catch((error) => logger.error({ err: error, outboxId: row.id }, 'notification processing failed'))
            .finally(() => inFlight.delete(sending));
          inFlight.add(sending);
        }
        if (rows.length > 0) continue;
        if (retryInMs !== undefined) {
          // The send budget is empty: a wake cannot help before the next token.
          sleepMs = retryInMs;
          wakeable = false;
        } else {
          // Nothing due, or due rows held back by chat pacing (a short poll finds them when it ends).
          const dueInMs = await msUntilNextDue();
          sleepMs = dueInMs > 0 ? Math.min(pollIntervalMs, dueInMs) : pacingPollMs;
        }
      } catch (error) {
        logger.error({ err: error }, 'outbox drain failed; will retry');
      }
      if (!running) break;
      if (wakeRequested && wakeable) continue;
      await new Promise<void>((resolve) => {
        timer = setTimeout(resolve, sleepMs);
        stopSleeper = resolve;
        if (wakeable) wakeSleeper = resolve;
      });
      stopSleeper = undefined;
      wakeSleeper = undefined;
    }
  }

  let wakeSleeper: (() => void) | undefined;
  let stopSleeper: (() => void) | undefined;

  return {
    drainOnce,
    drain,
    wake() {
      wakeRequested = true;
      if (wakeSleeper) {
        clearTimeout(timer);
        wakeSleeper();
      }
    },
    start() {
      if (running) return;
      running = true;
      loop = runLoop();
    },
    async stop(timeoutMs = 10_000) {
      running = false;
      clearTimeout(timer);
      stopSleeper?.();
      if (!loop) return;
      // Sends already handed to Telegram finish and are recorded, so nothing is sent twice after a restart. Rows
      // committed just before the stop (a /pay finishing during shutdown woke the worker, which was still busy with
      // its previous claim) get one last claim: their messages go now rather than after the next start.
      const finish = loop
        .then(() => Promise.all(inFlight))
        .then(() => (wakeRequested ? drainOnce() : 0))
        .catch((error) => logger.error({ err: error }, 'outbox: the last claim before stopping failed'));
      await Promise.race([finish, new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
    },
  };
}
