-- Every delivery attempt, kept as history: a delivery's row says only where it
-- stands (status, attempts made, next attempt), its attempts say what each one
-- got back. Ids are UUIDv7, so an endpoint's attempts list newest first by id,
-- and old rows are found through the primary key. No foreign key to the
-- delivery (it would need an index here only for deletes): attempts and
-- deliveries are each pruned by age.
CREATE TABLE webhook_attempts (
    id               TEXT PRIMARY KEY,
    delivery_id      TEXT NOT NULL,
    endpoint_id      TEXT NOT NULL,
    attempt          BIGINT NOT NULL,
    status           TEXT NOT NULL,
    response_status  INTEGER,
    response_body    TEXT,
    error            TEXT,
    duration_ms      BIGINT NOT NULL,
    attempted_at     TIMESTAMP NOT NULL,
    next_attempt_at  TIMESTAMP
);
CREATE INDEX webhook_attempts_endpoint_idx ON webhook_attempts (endpoint_id, id);

-- The latest attempt of each delivery made so far becomes its first history row.
INSERT INTO webhook_attempts (id, delivery_id, endpoint_id, attempt, status, response_status,
                              response_body, error, duration_ms, attempted_at, next_attempt_at)
SELECT id, id, endpoint_id, attempts, status, response_status, response_body, error,
       COALESCE(duration_ms, 0), last_attempt_at,
       CASE WHEN status = 'retrying' THEN next_attempt_at END
FROM webhook_deliveries
WHERE last_attempt_at IS NOT NULL;

ALTER TABLE webhook_deliveries DROP COLUMN last_attempt_at;
ALTER TABLE webhook_deliveries DROP COLUMN response_status;
ALTER TABLE webhook_deliveries DROP COLUMN response_body;
ALTER TABLE webhook_deliveries DROP COLUMN error;
ALTER TABLE webhook_deliveries DROP COLUMN duration_ms;

-- A lease is its own column, so taking one changes no indexed column (and,
-- with room left on each page, PostgreSQL updates the row in place).
ALTER TABLE webhook_deliveries ADD COLUMN leased_until TIMESTAMP;
ALTER TABLE webhook_deliveries SET (fillfactor = 70);

-- Events (insert-only) are pruned by age once they have no delivery left.
CREATE INDEX webhook_events_created_idx ON webhook_events (created_at);
