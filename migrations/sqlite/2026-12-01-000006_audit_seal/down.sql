ALTER TABLE audit_events DROP COLUMN xact_id;
