-- Onboarding: activation links, the mail outbox, partner-programme applications.

-- An organisation's admins open or close its partner programme (expand only:
-- the column has a default, so running code that does not know it keeps working).
ALTER TABLE organizations ADD COLUMN programme_open BOOLEAN NOT NULL DEFAULT FALSE;

-- Single-use links that onboard a pending organisation. Only the SHA-256 of the
-- token is stored; the token itself travels only in the one mail that carries it.
-- An organisation has at most one link that is neither used nor revoked.
CREATE TABLE activation_links (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    email           TEXT NOT NULL,
    token_hash      TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    expires_at      TIMESTAMP NOT NULL,
    used_at         TIMESTAMP,
    revoked_at      TIMESTAMP,
    CONSTRAINT activation_links_token_hash_key UNIQUE (token_hash)
);
CREATE UNIQUE INDEX activation_links_live_key ON activation_links (organization_id)
    WHERE used_at IS NULL AND revoked_at IS NULL;

-- Mails, written in the same transaction as the change that causes them and
-- delivered by the worker in `serve` (at least once: a claim leases the row by
-- moving next_attempt_at into the future; sent_at is set once the server accepted it).
CREATE TABLE mail_outbox (
    id              TEXT PRIMARY KEY,
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    kind            TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    sent_at         TIMESTAMP,
    last_error      TEXT
);
CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at, id) WHERE sent_at IS NULL;

-- Companies asking to join an organisation's partner programme. One pending
-- application per e-mail and programme, also when two arrive at once.
CREATE TABLE programme_applications (
    id               TEXT PRIMARY KEY,
    programme_org_id TEXT NOT NULL REFERENCES organizations(id),
    company_name     TEXT NOT NULL,
    contact_name     TEXT NOT NULL,
    email            TEXT NOT NULL,
    country          TEXT NOT NULL,
    message          TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    reason           TEXT,
    partner_id       TEXT REFERENCES organizations(id),
    created_at       TIMESTAMP NOT NULL,
    decided_at       TIMESTAMP,
    decided_by       TEXT
);
CREATE UNIQUE INDEX programme_applications_pending_key ON programme_applications (programme_org_id, email)
    WHERE status = 'pending';
CREATE INDEX programme_applications_programme_idx ON programme_applications (programme_org_id, id);
