DROP INDEX "invoices_chat_created_idx";--> statement-breakpoint
ALTER TABLE "invoices" ALTER COLUMN "chat_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "notify_chat_id" bigint;--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "reissue_of_invoice_id" bigint;--> statement-breakpoint
-- Data conversion (hand-written). Messages about every invoice went to chat_id so far: that is its notification chat.
UPDATE "invoices" SET "notify_chat_id" = "chat_id";--> statement-breakpoint
-- An inline invoice's chat_id was its issuer's private chat; the chat it was posted in was never known.
UPDATE "invoices" SET "chat_id" = NULL WHERE "inline_message_id" IS NOT NULL;--> statement-breakpoint
-- "Issue again" kept the expired card's message id as the new invoice's pay_message_id: message ids are per chat,
-- so an older invoice of the same chat whose card has that id is the one it replaces.
UPDATE "invoices" AS "again" SET "reissue_of_invoice_id" = "expired"."id", "pay_message_id" = NULL
FROM "invoices" AS "expired"
WHERE "again"."pay_message_id" IS NOT NULL AND "again"."inline_message_id" IS NULL
  AND "again"."remainder_of_invoice_id" IS NULL
  AND "expired"."chat_id" = "again"."chat_id" AND "expired"."card_message_id" = "again"."pay_message_id"
  AND "expired"."id" < "again"."id";--> statement-breakpoint
ALTER TABLE "invoices" ALTER COLUMN "notify_chat_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_reissue_of_invoice_id_invoices_id_fk" FOREIGN KEY ("reissue_of_invoice_id") REFERENCES "public"."invoices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "invoices_reissue_of_key" ON "invoices" USING btree ("reissue_of_invoice_id") WHERE reissue_of_invoice_id is not null;--> statement-breakpoint
CREATE INDEX "invoices_chat_created_idx" ON "invoices" USING btree ("notify_chat_id","created_at");
