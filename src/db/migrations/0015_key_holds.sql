ALTER TABLE "product_keys" ADD COLUMN "held_for" text;--> statement-breakpoint
ALTER TABLE "product_keys" ADD COLUMN "held_until" timestamp with time zone;--> statement-breakpoint
CREATE UNIQUE INDEX "product_keys_held_for" ON "product_keys" USING btree ("held_for") WHERE held_for is not null;--> statement-breakpoint
CREATE INDEX "product_keys_reserved_idx" ON "product_keys" USING btree ("invoice_id") WHERE invoice_id is not null and sold_at is null;