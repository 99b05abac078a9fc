DROP TABLE invoice_lines;
DROP TABLE invoices;
DROP INDEX audit_events_actor_idx;
DROP INDEX audit_events_path_idx;
DROP INDEX audit_events_seq_idx;
ALTER TABLE audit_events DROP COLUMN organization_path;
ALTER TABLE audit_events DROP COLUMN prev_hash;
ALTER TABLE audit_events DROP COLUMN hash;
ALTER TABLE audit_events DROP COLUMN seq;
