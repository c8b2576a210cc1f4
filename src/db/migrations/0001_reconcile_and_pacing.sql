CREATE TABLE "chat_throttle" (
	"chat_id" bigint PRIMARY KEY NOT NULL,
	"next_allowed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "send_budget" (
	"id" integer PRIMARY KEY NOT NULL,
	"tokens" double precision NOT NULL,
	"refilled_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
DROP INDEX "invoices_open_expiry_idx";--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "next_check_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "check_failures" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "invoices_next_check_idx" ON "invoices" USING btree ("next_check_at") WHERE next_check_at is not null;