CREATE INDEX "invoices_chat_created_id_idx" ON "invoices" USING btree ("notify_chat_id","created_at","id");--> statement-breakpoint
DROP INDEX "invoices_chat_created_idx";
