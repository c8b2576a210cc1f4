CREATE TABLE "access_extensions" (
	"invoice_id" bigint PRIMARY KEY NOT NULL,
	"grant_id" bigint NOT NULL,
	"previous_ends_at" timestamp with time zone,
	"ends_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "access_grants" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"product_id" bigint NOT NULL,
	"user_id" bigint NOT NULL,
	"chat_id" bigint NOT NULL,
	"ends_at" timestamp with time zone,
	"state" text DEFAULT 'active' NOT NULL,
	"invite_link" text,
	"invite_link_revoked_at" timestamp with time zone,
	"joined_at" timestamp with time zone,
	"reminded_for_ends_at" timestamp with time zone,
	"reminders_sent" integer DEFAULT 0 NOT NULL,
	"removal_lease_until" timestamp with time zone,
	"removal_attempts" integer DEFAULT 0 NOT NULL,
	"removal_error" text,
	"removed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "access_chat_id" bigint;--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "access_chat_title" text;--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "access_period_seconds" integer;--> statement-breakpoint
ALTER TABLE "access_extensions" ADD CONSTRAINT "access_extensions_invoice_id_invoices_id_fk" FOREIGN KEY ("invoice_id") REFERENCES "public"."invoices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "access_extensions" ADD CONSTRAINT "access_extensions_grant_id_access_grants_id_fk" FOREIGN KEY ("grant_id") REFERENCES "public"."access_grants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "access_grants" ADD CONSTRAINT "access_grants_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "access_grants_product_user_chat" ON "access_grants" USING btree ("product_id","user_id","chat_id");--> statement-breakpoint
CREATE INDEX "access_grants_chat_user_idx" ON "access_grants" USING btree ("chat_id","user_id");--> statement-breakpoint
CREATE INDEX "access_grants_lapse_idx" ON "access_grants" USING btree ("ends_at") WHERE state in ('active', 'removing');