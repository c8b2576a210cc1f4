import { eq } from 'drizzle-orm';
import type { Api } from 'grammy';
import { grantHolder } from '../access/grants.js';
import type { Database } from '../db/client.js';
import {
  type AccessGrantRow,
  accessGrants,
  type InvoiceRow,
  type OutboxRow,
  type ProductRow,
  products,
} from '../db/schema.js';
import { ACCESS_KINDS, type AccessKind } from '../db/vocabulary.js';
import type { Translator } from '../i18n/index.js';
import type { InvoiceService } from '../invoices/service.js';
import { renderAccessEnded, renderAccessRenewal, renderAccessRightsLost } from '../views/access.js';
import type { RenderedMessage } from '../views/messages.js';
import { productLink } from '../views/product.js';

// Paid access's own outbox rows (src/db/vocabulary.ts, ACCESS_KINDS), rendered from the grant and its product as they
// are at send time. `access_renewal` carries a renewal invoice bound to the buyer, issued here through the shop's
// path (InvoiceService.issueRenewal): their open invoice for the product when there is one, so a repeated send (a
// lease lapsed, another replica) makes no second SMARTy Pay invoice; paying it extends from the current end like any
// payment for the product. A Telegram refusal or a failed create is thrown: the outbox retries or fails the row.

export interface AccessNoticesDeps {
  db: Database;
  api: Pick<Api, 'sendMessage'>;
  translator: Translator;
  botUsername: string;
  renewals: Pick<InvoiceService, 'issueRenewal'>;
}

export type AccessNoticeOutcome = { status: 'sent' } | { status: 'skipped'; note: string };

export type AccessRow = Extract<OutboxRow, { kind: AccessKind }>;

export function isAccessRow(row: OutboxRow): row is AccessRow {
  return (ACCESS_KINDS as readonly string[]).includes(row.kind);
}

export function createAccessNotices(deps: AccessNoticesDeps) {
  const { db, api } = deps;

  async function send(chatId: number, message: RenderedMessage): Promise<void> {
    await api.sendMessage(chatId, message.text, {
      ...(message.replyMarkup && { reply_markup: message.replyMarkup }),
      link_preview_options: { is_disabled: true },
    });
  }

  async function renewal(
    row: Extract<AccessRow, { kind: 'access_renewal' }>,
    grant: AccessGrantRow,
    product: ProductRow,
  ): Promise<AccessNoticeOutcome> {
    if (grant.state !== 'active' || grant.endsAt?.toISOString() !== row.payload.endsAt || grant.endsAt === null) {
      return { status: 'skipped', note: 'renewed or ended since it was queued' };
    }
    const holder = await grantHolder(db, grant.id);
    const t = deps.translator.forLocale(holder.locale);
    const onSale = product.state === 'active' && product.accessChatId === grant.chatId;
    let invoice: InvoiceRow | null = null;
    if (onSale) {
      const issued = await deps.renewals.issueRenewal({
        product,
        buyer: { userId: grant.userId, name: holder.name, username: holder.username },
        chatId: grant.userId,
        locale: holder.locale,
        requestId: row.id,
      });
      // SMARTy Pay did not confirm the create yet: no link to send; tried again after a backoff.
      if (issued.invoice.status === 'Unconfirmed') throw new Error('the renewal invoice is not confirmed yet');
      invoice = issued.invoice;
    }
    const chat = { title: product.accessChatTitle, id: grant.chatId };
    await send(grant.userId, renderAccessRenewal(t, chat, grant.endsAt, invoice));
    return { status: 'sent' };
  }

  return async function sendAccessNotice(row: AccessRow): Promise<AccessNoticeOutcome> {
    const [found] = await db
      .select({ grant: accessGrants, product: products })
      .from(accessGrants)
      .innerJoin(products, eq(products.id, accessGrants.productId))
      .where(eq(accessGrants.id, row.payload.grantId))
      .limit(1);
    if (!found) return { status: 'skipped', note: 'the grant is gone' };
    const { grant, product } = found;
    const chat = { title: product.accessChatTitle, id: grant.chatId };
    switch (row.kind) {
      case 'access_renewal':
        return renewal(row, grant, product);
      case 'access_removed': {
        // Bought again since: their new access has its own message.
        if (grant.state === 'active') return { status: 'skipped', note: 'active again' };
        const t = deps.translator.forLocale((await grantHolder(db, grant.id)).locale);
        const buyAgain = product.state === 'active' ? productLink(deps.botUsername, product.code) : null;
        await send(grant.userId, renderAccessEnded(t, chat, buyAgain));
        return { status: 'sent' };
      }
      case 'access_rights_lost': {
        // To the merchant (the row's chat), in the language they created the product in.
        const t = deps.translator.forLocale(product.locale);
        await send(row.chatId, { text: renderAccessRightsLost(t, chat) });
        return { status: 'sent' };
      }
    }
  };
}
