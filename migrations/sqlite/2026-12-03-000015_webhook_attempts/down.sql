DROP INDEX webhook_events_created_idx;
ALTER TABLE webhook_deliveries DROP COLUMN leased_until;
ALTER TABLE webhook_deliveries ADD COLUMN last_attempt_at TIMESTAMP;
ALTER TABLE webhook_deliveries ADD COLUMN response_status INTEGER;
ALTER TABLE webhook_deliveries ADD COLUMN response_body TEXT;
ALTER TABLE webhook_deliveries ADD COLUMN error TEXT;
ALTER TABLE webhook_deliveries ADD COLUMN duration_ms BIGINT;
DROP TABLE webhook_attempts;
