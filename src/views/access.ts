import { periodParts } from '../access/rules.js';
import type { AccessGrantRow, InvoiceRow, ProductRow } from '../db/schema.js';
import type { Translate } from '../i18n/index.js';
import { formatUtc, payButton, type RenderedMessage, userText } from './messages.js';

// Paid access's texts: a period in words and the product card's line "Access to <chat> for <period>".

/** "30 days", "12 hours", "life" (null). */
export function renderPeriod(t: Translate, seconds: number | null): string {
  if (seconds === null) return t('access-period-life');
  const { unit, count } = periodParts(seconds);
  return t(`access-period-${unit}`, { count });
}

/** The chat's title as Telegram gave it, escaped; its id when it has none. */
export const accessChatName = (title: string | null, chatId: number): string => userText(title ?? String(chatId));

/** The card's access line, or undefined for a product that grants no access. */
export function renderAccessLine(t: Translate, product: ProductRow): string | undefined {
  if (product.accessChatId === null) return undefined;
  return t('access-card-line', {
    chat: accessChatName(product.accessChatTitle, product.accessChatId),
    period: renderPeriod(t, product.accessPeriodSeconds),
  });
}

/** "until <when> (UTC)", or "for life" without an end. */
export function accessUntil(t: Translate, endsAt: Date | null): string {
  return endsAt === null ? t('access-until-life') : t('access-until', { at: formatUtc(t, endsAt) });
}

/**
 * The buyer's access after a payment: with their personal join-request link as a button (`inviteLink`), or, when
 * they are already in the chat, just the new end.
 */
export function renderAccessInvite(
  t: Translate,
  chat: { title: string | null; id: number },
  endsAt: Date | null,
  inviteLink: string | null,
): RenderedMessage {
  const name = accessChatName(chat.title, chat.id);
  const until = accessUntil(t, endsAt);
  if (inviteLink === null) return { text: t('access-extended', { chat: name, until }) };
  return {
    text: t('access-invite', { chat: name, until }),
    replyMarkup: {
      inline_keyboard: [[{ text: t('access-button-join', { chat: chat.title ?? String(chat.id) }), url: inviteLink }]],
    },
  };
}

/** The member's access ended and they were removed: why, with a button to buy again while the product is on sale. */
export function renderAccessEnded(
  t: Translate,
  chat: { title: string | null; id: number },
  buyLink: string | null,
): RenderedMessage {
  const text = t('access-ended', { chat: accessChatName(chat.title, chat.id) });
  if (buyLink === null) return { text };
  return { text, replyMarkup: { inline_keyboard: [[{ text: t('access-button-buy-again'), url: buyLink }]] } };
}

/** To the merchant, once: the bot can no longer remove lapsed members from the chat. */
export function renderAccessRightsLost(t: Translate, chat: { title: string | null; id: number }): string {
  return t('access-rights-lost', { chat: accessChatName(chat.title, chat.id) });
}

/** Where a member stands: out of the chat, past the end (removal due), ending within `soonMs`, or in for longer. */
export type MemberStanding = 'removed' | 'ended' | 'soon' | 'active';

/** "Ending soon" (/members and the dashboard): from the first renewal reminder (ACCESS_REMINDER_HOURS), at least a day. */
export const endingSoonMs = (reminderHours: readonly number[]): number => Math.max(24, ...reminderHours) * 3_600_000;

export function memberStanding(grant: AccessGrantRow, now: Date, soonMs: number): MemberStanding {
  if (grant.state === 'removed') return 'removed';
  if (grant.state === 'removing' || (grant.endsAt !== null && grant.endsAt <= now)) return 'ended';
  if (grant.endsAt !== null && grant.endsAt.getTime() - now.getTime() < soonMs) return 'soon';
  return 'active';
}

/** /members: each grant's user, end and standing. */
export function renderMembers(
  t: Translate,
  product: ProductRow,
  grants: AccessGrantRow[],
  now: Date,
  soonMs: number,
): string {
  const chat = accessChatName(product.accessChatTitle, product.accessChatId ?? 0);
  if (grants.length === 0) return t('access-members-none', { chat, code: product.code });
  const lines = grants.map((grant) => {
    const until = accessUntil(t, grant.endsAt);
    const state = memberStanding(grant, now, soonMs);
    return t('access-members-item', { user: String(grant.userId), until, state: t(`access-member-${state}`) });
  });
  return [t('access-members-title', { chat, code: product.code }), ...lines].join('\n');
}

/**
 * Before the end: when it ends, with the renewal invoice's Pay button (its card follows) while the product is on
 * sale; without one it only says when.
 */
export function renderAccessRenewal(
  t: Translate,
  chat: { title: string | null; id: number },
  endsAt: Date,
  invoice: InvoiceRow | null,
): RenderedMessage {
  const name = accessChatName(chat.title, chat.id);
  const at = formatUtc(t, endsAt);
  if (invoice === null) return { text: t('access-renewal-closed', { chat: name, at }) };
  // The buyer's invoice for the product is part-paid (the issue path hands that one back rather than make a second):
  // its card's "Pay the remaining" finishes it; a Pay button here would take its full amount again.
  if (invoice.status === 'UnderPaid') {
    return { text: t('access-renewal-underpaid', { chat: name, at, invoice: String(invoice.id) }) };
  }
  return {
    text: t('access-renewal', { chat: name, at, invoice: String(invoice.id) }),
    replyMarkup: { inline_keyboard: [[payButton(t, invoice)]] },
  };
}
