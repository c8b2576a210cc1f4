CREATE TABLE "chat_settings" (
	"chat_id" bigint PRIMARY KEY NOT NULL,
	"locale" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "inline_drafts" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" bigint NOT NULL,
	"amount" numeric(20, 8) NOT NULL,
	"token" text NOT NULL,
	"description" text,
	"locale" text DEFAULT 'en' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "invoices" ALTER COLUMN "pay_message_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "inline_message_id" text;--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "locale" text DEFAULT 'en' NOT NULL;--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "cancelled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "cancelled_by_user_id" bigint;--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "remind_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "status_checked_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "invoices_remind_idx" ON "invoices" USING btree ("remind_at") WHERE remind_at is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "invoices_inline_message_key" ON "invoices" USING btree ("inline_message_id") WHERE inline_message_id is not null;--> statement-breakpoint
CREATE INDEX "invoices_chat_created_idx" ON "invoices" USING btree ("chat_id","created_at");--> statement-breakpoint
CREATE INDEX "invoices_issuer_created_idx" ON "invoices" USING btree ("issued_by_user_id","created_at");