import type { InvoiceRow } from '../db/schema.js';
import type { InlineDraft, InlineDrafts } from './inline-drafts.js';

// A tap on an inline message's Pay button brings `ipay:<draft id>` and the message's inline_message_id. The draft
// id is whatever the tapping client sent, so it decides nothing on its own: the message's invoice, else the draft
// the message is bound to, is what the tap gets.

export type InlineTap =
  /** The message already has its invoice: that one, whatever the tap names. */
  | { kind: 'invoice'; invoice: InvoiceRow }
  /** The message carries this draft: make its invoice. */
  | { kind: 'issue'; draft: InlineDraft }
  /** No such draft (pruned, or never offered). */
  | { kind: 'gone' }
  /** The message carries another draft, or the named draft is carried by another message. */
  | { kind: 'refused'; boundDraftId: string | undefined };

export interface InlineTapDeps {
  drafts: Pick<InlineDrafts, 'boundDraftId' | 'bindOnTap'>;
  findInvoice(inlineMessageId: string): Promise<InvoiceRow | undefined>;
}

export async function resolveInlineTap(
  deps: InlineTapDeps,
  inlineMessageId: string,
  draftId: string,
): Promise<InlineTap> {
  const [invoice, boundDraftId] = await Promise.all([
    deps.findInvoice(inlineMessageId),
    deps.drafts.boundDraftId(inlineMessageId),
  ]);
  // A binding names the only honest draft: a tap naming another is forged, even on a message whose invoice
  // already fixes the price.
  if (boundDraftId !== undefined && boundDraftId !== draftId) return { kind: 'refused', boundDraftId };
  if (invoice) return { kind: 'invoice', invoice };
  const binding = await deps.drafts.bindOnTap(inlineMessageId, draftId);
  switch (binding.kind) {
    case 'bound':
      return { kind: 'issue', draft: binding.draft };
    case 'no-draft':
      return { kind: 'gone' };
    case 'not-owner':
    case 'conflict':
      return { kind: 'refused', boundDraftId: binding.kind === 'conflict' ? binding.boundDraftId : undefined };
  }
}
