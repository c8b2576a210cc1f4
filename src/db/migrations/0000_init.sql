CREATE TABLE "invoices" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"smartypay_id" text NOT NULL,
	"chat_id" bigint NOT NULL,
	"pay_message_id" integer NOT NULL,
	"card_message_id" integer,
	"issued_by_user_id" bigint,
	"amount" numeric(20, 8) NOT NULL,
	"token" text NOT NULL,
	"description" text,
	"status" text NOT NULL,
	"checkout_url" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"paid_at" timestamp with time zone,
	"paid_amount" text,
	"paid_token" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"dedupe_key" text NOT NULL,
	"kind" text NOT NULL,
	"invoice_id" bigint,
	"chat_id" bigint NOT NULL,
	"target_message_id" integer,
	"payload" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"lease_until" timestamp with time zone,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "webhook_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"dedupe_key" text NOT NULL,
	"smartypay_invoice_id" text NOT NULL,
	"status" text NOT NULL,
	"event_ts" timestamp with time zone,
	"outcome" text NOT NULL,
	"raw_payload" text NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "outbox" ADD CONSTRAINT "outbox_invoice_id_invoices_id_fk" FOREIGN KEY ("invoice_id") REFERENCES "public"."invoices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "invoices_smartypay_id_key" ON "invoices" USING btree ("smartypay_id");--> statement-breakpoint
CREATE UNIQUE INDEX "invoices_chat_pay_message_key" ON "invoices" USING btree ("chat_id","pay_message_id");--> statement-breakpoint
CREATE INDEX "invoices_open_expiry_idx" ON "invoices" USING btree ("expires_at") WHERE status in ('Created', 'Confirming');--> statement-breakpoint
CREATE UNIQUE INDEX "outbox_dedupe_key" ON "outbox" USING btree ("dedupe_key");--> statement-breakpoint
CREATE INDEX "outbox_due_idx" ON "outbox" USING btree ("next_attempt_at") WHERE status in ('pending', 'sending');--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_events_dedupe_key" ON "webhook_events" USING btree ("dedupe_key");