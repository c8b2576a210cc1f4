CREATE TABLE "webhook_duplicates" (
	"dedupe_key" text PRIMARY KEY NOT NULL,
	"smartypay_invoice_id" text NOT NULL,
	"status" text NOT NULL,
	"repeats" integer DEFAULT 1 NOT NULL,
	"first_received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "webhook_duplicates_invoice_idx" ON "webhook_duplicates" USING btree ("smartypay_invoice_id");--> statement-breakpoint
CREATE INDEX "webhook_duplicates_received_idx" ON "webhook_duplicates" USING btree ("last_received_at");--> statement-breakpoint
CREATE INDEX "invoices_created_idx" ON "invoices" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "webhook_events_invoice_idx" ON "webhook_events" USING btree ("smartypay_invoice_id");