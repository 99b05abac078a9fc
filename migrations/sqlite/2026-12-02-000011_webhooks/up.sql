-- Webhook endpoints of an organisation. The signing secret is kept as it is
-- (it signs every delivery, so it cannot be a hash); a rotated-out secret keeps
-- signing until `previous_secret_until`. `failing_since` is the first failure
-- after the last success (NULL while healthy), for disabling dead endpoints.
CREATE TABLE webhook_endpoints (
    id                     TEXT PRIMARY KEY,
    organization_id        TEXT NOT NULL REFERENCES organizations (id),
    url                    TEXT NOT NULL,
    events                 TEXT NOT NULL,
    description            TEXT NOT NULL DEFAULT '',
    enabled                BOOLEAN NOT NULL DEFAULT TRUE,
    secret                 TEXT NOT NULL,
    previous_secret        TEXT,
    previous_secret_until  TIMESTAMP,
    failing_since          TIMESTAMP,
    version                BIGINT NOT NULL,
    created_at             TIMESTAMP NOT NULL,
    updated_at             TIMESTAMP NOT NULL
);
CREATE INDEX webhook_endpoints_organization_idx ON webhook_endpoints (organization_id, id);

-- One row per webhook event: its id is the audit event's (or a ping's own).
CREATE TABLE webhook_events (
    id               TEXT PRIMARY KEY,
    event_type       TEXT NOT NULL,
    organization_id  TEXT NOT NULL,
    occurred_at      TIMESTAMP NOT NULL,
    created_at       TIMESTAMP NOT NULL
);

-- One event to one endpoint; `body` is the envelope as sent (the data is
-- rendered as the endpoint's organisation sees it). A worker holds a delivery
-- while `next_attempt_at` (moved ahead by its lease) is in the future.
CREATE TABLE webhook_deliveries (
    id               TEXT PRIMARY KEY,
    event_id         TEXT NOT NULL REFERENCES webhook_events (id),
    endpoint_id      TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    body             TEXT NOT NULL,
    status           TEXT NOT NULL,
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMP,
    last_attempt_at  TIMESTAMP,
    response_status  INTEGER,
    response_body    TEXT,
    error            TEXT,
    duration_ms      BIGINT,
    created_at       TIMESTAMP NOT NULL
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at)
    WHERE status IN ('pending', 'retrying');
CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, id);

-- The dispatcher's watermark: the last audit `seq` turned into webhook events.
-- It starts at the chain's current head, so history before webhooks is not sent.
CREATE TABLE webhook_dispatch (
    id        INTEGER PRIMARY KEY,
    last_seq  BIGINT NOT NULL
);
INSERT INTO webhook_dispatch (id, last_seq) SELECT 1, COALESCE(MAX(seq), 0) FROM audit_events;
