CREATE TABLE "chat_invoice_totals" (
	"chat_id" bigint NOT NULL,
	"status" text NOT NULL,
	"token" text NOT NULL,
	"paid_token" text NOT NULL,
	"invoices" integer NOT NULL,
	"amount" numeric NOT NULL,
	"reported_paid" numeric NOT NULL,
	"reported" integer NOT NULL,
	"unreported_amount" numeric NOT NULL,
	CONSTRAINT "chat_invoice_totals_chat_id_status_token_paid_token_pk" PRIMARY KEY("chat_id","status","token","paid_token")
);
--> statement-breakpoint
CREATE INDEX "outbox_backlog_idx" ON "outbox" USING btree ("created_at") WHERE status in ('pending', 'sending');--> statement-breakpoint
CREATE INDEX "outbox_failed_idx" ON "outbox" USING btree ("created_at") WHERE status = 'failed';