import { and, desc, eq, gt, isNotNull, isNull, lte } from 'drizzle-orm';
import type { Api } from 'grammy';
import type { Logger } from 'pino';
import { grantLocale } from '../access/grants.js';
import type { Database } from '../db/client.js';
import { type AccessGrantRow, accessExtensions, accessGrants, invoices, products } from '../db/schema.js';
import type { Translator } from '../i18n/index.js';
import { renderAccessRenewal } from '../views/access.js';
import { productLink } from '../views/product.js';

// Renewal reminders before paid access ends, run by the reconciler: ACCESS_REMINDER_HOURS before the end (default 3
// days and 1 day), or for a period under a day once, halfway through its last quarter. The reminder carries a Renew
// button, the product's link: paying extends from the current end. Each reminder is claimed by one conditional
// update (the count for this end), so every process may run this and it is sent once; a renewal moves the end and
// starts a new round. A reminder whose time passed unnoticed (the bot was down) is replaced by the latest due one.

const DAY_SECONDS = 86_400;

export interface AccessRenewalDeps {
  db: Database;
  api: Pick<Api, 'sendMessage'>;
  translator: Translator;
  logger: Logger;
  now: () => Date;
  botUsername: string;
  reminderHours: readonly number[];
}

/** How long before the end each reminder is due, longest first. */
export function reminderOffsetsMs(periodSeconds: number, reminderHours: readonly number[]): number[] {
  if (periodSeconds < DAY_SECONDS) return [(periodSeconds * 1000) / 8];
  return [...reminderHours]
    .map((hours) => hours * 3_600_000)
    .filter((ms) => ms < periodSeconds * 1000)
    .sort((a, b) => b - a);
}

export function createAccessRenewal(deps: AccessRenewalDeps) {
  const { db, api, logger, now } = deps;
  const longest = Math.max(DAY_SECONDS * 1000, ...deps.reminderHours.map((hours) => hours * 3_600_000));

  /** Takes reminder `count` for this end; false when another process (or an earlier tick) already did. */
  async function claim(grant: AccessGrantRow, sentBefore: number, count: number): Promise<boolean> {
    const sameRound =
      grant.remindedForEndsAt === null
        ? isNull(accessGrants.remindedForEndsAt)
        : eq(accessGrants.remindedForEndsAt, grant.remindedForEndsAt);
    const rows = await db
      .update(accessGrants)
      .set({ remindedForEndsAt: grant.endsAt, remindersSent: count, updatedAt: now() })
      .where(
        and(
          eq(accessGrants.id, grant.id),
          eq(accessGrants.state, 'active'),
          eq(accessGrants.endsAt, grant.endsAt ?? new Date(0)),
          sameRound,
          eq(accessGrants.remindersSent, grant.remindersSent),
        ),
      )
      .returning({ id: accessGrants.id });
    return rows.length > 0 && count > sentBefore;
  }

  return {
    /** One sweep: sends the reminders due now; returns how many. */
    async sendDueReminders(): Promise<number> {
      const at = now();
      const rows = await db
        .select({ grant: accessGrants, product: products })
        .from(accessGrants)
        .innerJoin(products, eq(products.id, accessGrants.productId))
        .where(
          and(
            eq(accessGrants.state, 'active'),
            isNotNull(accessGrants.endsAt),
            gt(accessGrants.endsAt, at),
            lte(accessGrants.endsAt, new Date(at.getTime() + longest)),
          ),
        )
        .limit(100);
      let sent = 0;
      for (const { grant, product } of rows) {
        if (grant.endsAt === null || product.accessPeriodSeconds === null) continue;
        const offsets = reminderOffsetsMs(product.accessPeriodSeconds, deps.reminderHours);
        const left = grant.endsAt.getTime() - at.getTime();
        const due = offsets.filter((offset) => left <= offset).length;
        const sentBefore = grant.remindedForEndsAt?.getTime() === grant.endsAt.getTime() ? grant.remindersSent : 0;
        if (due <= sentBefore) continue;
        if (!(await claim(grant, sentBefore, due))) continue;
        const t = deps.translator.forLocale(await grantLocale(db, grant.id));
        const message = renderAccessRenewal(
          t,
          { title: product.accessChatTitle, id: grant.chatId },
          grant.endsAt,
          product.state === 'active' ? productLink(deps.botUsername, product.code) : null,
        );
        try {
          await api.sendMessage(grant.userId, message.text, {
            ...(message.replyMarkup && { reply_markup: message.replyMarkup }),
            link_preview_options: { is_disabled: true },
          });
          sent++;
        } catch (error) {
          logger.info({ grantId: grant.id, err: error }, 'could not send an access renewal reminder');
        }
      }
      return sent;
    },
  };
}
