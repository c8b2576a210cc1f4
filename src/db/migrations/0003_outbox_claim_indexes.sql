DROP INDEX "outbox_due_idx";--> statement-breakpoint
CREATE INDEX "outbox_pending_messages_idx" ON "outbox" USING btree ("next_attempt_at","id") WHERE status = 'pending' and not starts_with(kind, 'card_');--> statement-breakpoint
CREATE INDEX "outbox_pending_edits_idx" ON "outbox" USING btree ("next_attempt_at","id") WHERE status = 'pending' and starts_with(kind, 'card_');--> statement-breakpoint
CREATE INDEX "outbox_leases_idx" ON "outbox" USING btree ("lease_until") WHERE status = 'sending';