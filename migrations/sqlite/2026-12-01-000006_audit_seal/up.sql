-- The column of the PostgreSQL migration, for one schema. SQLite has one writer
-- at a time (BEGIN IMMEDIATE), so events are sealed as they are appended and
-- xact_id stays NULL.
ALTER TABLE audit_events ADD COLUMN xact_id BIGINT;
