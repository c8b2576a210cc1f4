import type { Api } from 'grammy';
import type { AccessGrants } from '../access/grants.js';
import { createJoinLink } from '../access/join-link.js';
import type { InvoiceRow, ProductRow } from '../db/schema.js';
import type { Translator } from '../i18n/index.js';
import { renderAccessInvite } from '../views/access.js';

// The `access_invite` row of a paid invoice of a product with paid access: grant or extend the buyer's access (once
// per invoice, however often this runs), then send their personal join-request link (createChatInviteLink with
// creates_join_request, named after the order, expiring with the access) as a button, or only the new end when they
// are already in the chat. A Telegram refusal is thrown: the outbox retries or fails it like any send.

const IN_CHAT = new Set(['creator', 'administrator', 'member', 'restricted']);

export interface AccessInviterDeps {
  api: Pick<Api, 'createChatInviteLink' | 'getChatMember' | 'sendMessage'>;
  grants: Pick<AccessGrants, 'grantForPayment' | 'setInviteLink'>;
  translator: Translator;
}

export type AccessInviteOutcome = { status: 'sent' } | { status: 'skipped'; note: string };

export function createAccessInviter(deps: AccessInviterDeps) {
  const { api, grants } = deps;
  return async function sendAccessInvite(
    invoice: InvoiceRow,
    product: ProductRow | null,
    locale: string,
  ): Promise<AccessInviteOutcome> {
    const chatId = product?.accessChatId ?? null;
    const userId = invoice.issuedByUserId;
    if (!product || chatId === null) return { status: 'skipped', note: 'the product grants no access (any more)' };
    if (userId === null) return { status: 'skipped', note: 'the invoice has no buyer' };
    const grant = await grants.grantForPayment({
      invoiceId: invoice.id,
      productId: product.id,
      userId,
      chatId,
      periodSeconds: product.accessPeriodSeconds,
    });
    const member = await api.getChatMember(chatId, userId);
    let link: string | null = null;
    if (!IN_CHAT.has(member.status)) {
      link = grant.inviteLink !== null && grant.inviteLinkRevokedAt === null ? grant.inviteLink : null;
      link ??= await createJoinLink(api, grants, grant, `Order ${invoice.id}`);
    }
    const t = deps.translator.forLocale(locale);
    const message = renderAccessInvite(t, { title: product.accessChatTitle, id: chatId }, grant.endsAt, link);
    await api.sendMessage(invoice.notifyChatId, message.text, {
      ...(message.replyMarkup && { reply_markup: message.replyMarkup }),
      link_preview_options: { is_disabled: true },
    });
    return { status: 'sent' };
  };
}
