-- Drafts made before this migration have ids derived from the request (guessable): drop them. They are a
-- week-lived cache; a not-yet-invoiced message posted before the deploy answers "no longer available".
DELETE FROM "inline_drafts";--> statement-breakpoint
CREATE TABLE "inline_offers" (
	"inline_message_id" text PRIMARY KEY NOT NULL,
	"draft_id" text NOT NULL,
	"bound_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "inline_drafts" ADD COLUMN "request_key" text;--> statement-breakpoint
ALTER TABLE "inline_offers" ADD CONSTRAINT "inline_offers_draft_id_inline_drafts_id_fk" FOREIGN KEY ("draft_id") REFERENCES "public"."inline_drafts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "inline_offers_draft_idx" ON "inline_offers" USING btree ("draft_id");--> statement-breakpoint
CREATE UNIQUE INDEX "inline_drafts_request_key" ON "inline_drafts" USING btree ("request_key");