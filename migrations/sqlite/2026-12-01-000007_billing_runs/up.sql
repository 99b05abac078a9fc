-- Billing runs are queued by the API and worked by a background worker, a batch
-- of customers per short transaction. `after_path` (the cursor) is the path of the last customer
-- billed; a worker holds a run while `lease_until` is in the future and proves
-- it with `lease_token`, so a run whose worker died is resumed by another.
CREATE TABLE billing_runs (
    id                   TEXT PRIMARY KEY,
    organization_id      TEXT NOT NULL REFERENCES organizations (id),
    period               TEXT NOT NULL,
    status               TEXT NOT NULL,
    after_path           TEXT,
    customers_done       BIGINT NOT NULL DEFAULT 0,
    customers_total      BIGINT NOT NULL DEFAULT 0,
    invoices_created     BIGINT NOT NULL DEFAULT 0,
    invoices_recomputed  BIGINT NOT NULL DEFAULT 0,
    invoices_removed     BIGINT NOT NULL DEFAULT 0,
    invoices_unchanged   BIGINT NOT NULL DEFAULT 0,
    lease_token          TEXT,
    lease_until          TIMESTAMP,
    attempts             BIGINT NOT NULL DEFAULT 0,
    created_at           TIMESTAMP NOT NULL,
    started_at           TIMESTAMP,
    finished_at          TIMESTAMP,
    error                TEXT
);
-- One active (queued or running) run per organisation and period.
CREATE UNIQUE INDEX billing_runs_active_key ON billing_runs (organization_id, period)
    WHERE status IN ('queued', 'running');
CREATE INDEX billing_runs_claim_idx ON billing_runs (status, created_at)
    WHERE status IN ('queued', 'running');
