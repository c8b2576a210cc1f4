import { z } from 'zod';
import { hasControlCharacters } from './statuses.js';

// What SMARTy Pay POSTs on an invoice status change. eventId/eventType/eventTs are missing
// from older payloads. Unknown keys are ignored; the raw body is stored as received.
// A string with a control character (a NUL in an id made Postgres refuse the insert, so the route answered
// 503 and SMARTy Pay redelivered forever) is malformed: 400. The status is any short name here; whether it
// is one SMARTy Pay defines is the service's question (isSmartyPayStatus), since an unknown one is ignored
// with a 200, not refused.
const text = (min: number, max: number) =>
  z
    .string()
    .min(min)
    .max(max)
    .refine((value) => !hasControlCharacters(value), 'must not contain control characters');
const timestamp = text(1, 64);

export const webhookPayloadSchema = z.object({
  eventId: text(1, 200).optional(),
  eventType: text(0, 100).optional(),
  eventTs: timestamp.optional(),
  invoiceId: text(1, 200),
  status: text(1, 50),
  amount: text(0, 100).optional(),
  createdAt: timestamp.optional(),
  expiresAt: timestamp.optional(),
  paidAt: timestamp.nullish(),
  paidAmount: text(0, 100).nullish(),
  errorCode: text(0, 200).nullish(),
  metadata: z.union([text(0, 65_536), z.record(z.string(), z.unknown())]).nullish(),
});

export type WebhookPayload = z.infer<typeof webhookPayloadSchema>;

export interface InvoiceMetadata {
  chatId?: number;
  messageId?: number;
}

/** Our own metadata, as we wrote it at creation ({"chatId":…,"messageId":…}); {} when unreadable. */
export function readInvoiceMetadata(metadata: WebhookPayload['metadata']): InvoiceMetadata {
  let value: unknown = metadata;
  if (typeof metadata === 'string') {
    try {
      value = JSON.parse(metadata);
    } catch {
      return {};
    }
  }
  if (!value || typeof value !== 'object') return {};
  const record = value as Record<string, unknown>;
  return {
    chatId: typeof record.chatId === 'number' ? record.chatId : undefined,
    messageId: typeof record.messageId === 'number' ? record.messageId : undefined,
  };
}
