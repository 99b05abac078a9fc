CREATE TABLE idempotency_keys (
    principal_id   TEXT NOT NULL,
    key            TEXT NOT NULL,
    request_hash   TEXT NOT NULL,
    resource_id    TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    CONSTRAINT idempotency_keys_pkey PRIMARY KEY (principal_id, key)
);
DROP TABLE idempotency_requests;
