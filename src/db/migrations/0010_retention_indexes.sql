CREATE INDEX "outbox_finished_idx" ON "outbox" USING btree ("created_at") WHERE status in ('sent', 'skipped', 'failed');--> statement-breakpoint
CREATE INDEX "telegram_updates_received_idx" ON "telegram_updates" USING btree ("received_at");--> statement-breakpoint
CREATE INDEX "webhook_events_received_idx" ON "webhook_events" USING btree ("received_at");