import { z } from 'zod';

// What SMARTy Pay POSTs on an invoice status change. eventId/eventType/eventTs are missing
// from older payloads. Unknown keys are ignored; the raw body is stored as received.
const timestamp = z.string().min(1).max(64);

export const webhookPayloadSchema = z.object({
  eventId: z.string().min(1).max(200).optional(),
  eventType: z.string().max(100).optional(),
  eventTs: timestamp.optional(),
  invoiceId: z.string().min(1).max(200),
  status: z.string().min(1).max(50),
  amount: z.string().max(100).optional(),
  createdAt: timestamp.optional(),
  expiresAt: timestamp.optional(),
  paidAt: timestamp.nullish(),
  paidAmount: z.string().max(100).nullish(),
  errorCode: z.string().max(200).nullish(),
  metadata: z.union([z.string(), z.record(z.string(), z.unknown())]).nullish(),
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
