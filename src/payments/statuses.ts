import type { InvoiceStatus } from '../db/vocabulary.js';

// What SMARTy Pay may tell us, checked where it comes in (webhook payload, signed GET, create response).

/**
 * The invoice statuses SMARTy Pay defines: smartypay-client-model's `PaymentStatus`, the newest list it
 * publishes. "Cancelled" is not among them: it is this bot's own (/cancel; SMARTy Pay cannot cancel) and is
 * never taken from outside. smartypay-node-sdk 1.0.10 types an older list ("Confirmed" instead of
 * "Confirming", no SimplePaid or Withdrawn); a name outside this list, "Confirmed" included, is unrecognised.
 */
export const SMARTYPAY_STATUSES = [
  'Created',
  'Confirming',
  'Paid',
  'SimplePaid',
  'OverPaid',
  'UnderPaid',
  'Expired',
  'Invalid',
  'Withdrawn',
] as const satisfies readonly InvoiceStatus[];

export type SmartyPayStatus = (typeof SMARTYPAY_STATUSES)[number];

/** Stands for a status SMARTy Pay reported that is not in SMARTYPAY_STATUSES (theirs are PascalCase). */
export const UNRECOGNISED_STATUS = 'unrecognised';

export function isSmartyPayStatus(value: string): value is SmartyPayStatus {
  return (SMARTYPAY_STATUSES as readonly string[]).includes(value);
}

/**
 * True when `text` holds a C0 control character (U+0000–U+001F) or DEL. None belongs in an id, a status,
 * an amount or a date, and Postgres refuses NUL in text outright: such a payload is malformed.
 */
export function hasControlCharacters(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}
