-- Idempotency-Key on every POST: a key is claimed (in flight, under a lease)
-- before its request runs, marked committed inside the request's own write
-- transaction, and keeps the answer to replay. Keys made by the old
-- organisation-only mechanism have no stored answer: they stay as committed, so
-- a retry of one is refused (409) rather than run twice.
CREATE TABLE idempotency_requests (
    scope            TEXT NOT NULL,
    key              TEXT NOT NULL,
    lease_token      TEXT NOT NULL,
    locked_until     TIMESTAMP NOT NULL,
    committed_at     TIMESTAMP,
    request_hash     TEXT,
    response_status  INTEGER,
    response_headers TEXT,
    response_body    BYTEA,
    created_at       TIMESTAMP NOT NULL,
    CONSTRAINT idempotency_requests_pkey PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_requests_created_idx ON idempotency_requests (created_at);
INSERT INTO idempotency_requests (scope, key, lease_token, locked_until, committed_at, request_hash, created_at)
    SELECT principal_id, key, '', created_at, created_at, request_hash, created_at
    FROM idempotency_keys;
DROP TABLE idempotency_keys;
