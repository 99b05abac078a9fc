-- The organisation tree as a materialized path (see docs/ARCHITECTURE.md).
-- SQLite compares TEXT bytewise (BINARY), so btree order is byte order and a subtree
-- is the range [path, upper_bound(path)).
CREATE TABLE organizations (
    id             TEXT PRIMARY KEY,
    parent_id      TEXT REFERENCES organizations(id),
    kind           TEXT NOT NULL CHECK (kind IN ('provider', 'distributor', 'partner', 'customer')),
    name           TEXT NOT NULL,
    name_lower     TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('pending', 'active', 'suspended', 'archived')),
    path           TEXT NOT NULL,
    depth          INTEGER NOT NULL,
    primary_domain TEXT,
    tenant_id      TEXT,
    contact_email  TEXT,
    country        TEXT,
    version        BIGINT NOT NULL DEFAULT 1,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    CONSTRAINT organizations_path_key UNIQUE (path),
    CONSTRAINT organizations_primary_domain_key UNIQUE (primary_domain),
    CONSTRAINT organizations_tenant_id_key UNIQUE (tenant_id)
);
-- Exactly one root.
CREATE UNIQUE INDEX organizations_single_root ON organizations ((parent_id IS NULL)) WHERE parent_id IS NULL;
CREATE INDEX organizations_parent_idx ON organizations (parent_id, id);
CREATE INDEX organizations_kind_path_idx ON organizations (kind, path);
CREATE INDEX organizations_status_path_idx ON organizations (status, path);

CREATE TABLE operators (
    id                   TEXT PRIMARY KEY,
    home_organization_id TEXT NOT NULL REFERENCES organizations(id),
    email                TEXT NOT NULL,
    name                 TEXT NOT NULL,
    roles                TEXT NOT NULL,
    status               TEXT NOT NULL CHECK (status IN ('invited', 'active', 'disabled')),
    last_sign_in_at      TIMESTAMP,
    version              BIGINT NOT NULL DEFAULT 1,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL,
    CONSTRAINT operators_home_email_key UNIQUE (home_organization_id, email)
);
CREATE INDEX operators_email_idx ON operators (email);

CREATE TABLE audit_events (
    id               TEXT PRIMARY KEY,
    occurred_at      TIMESTAMP NOT NULL,
    actor_type       TEXT NOT NULL,
    actor_id         TEXT NOT NULL,
    impersonator_id  TEXT,
    organization_id  TEXT NOT NULL,
    action           TEXT NOT NULL,
    target_type      TEXT NOT NULL,
    target_id        TEXT NOT NULL,
    details          TEXT NOT NULL
);
CREATE INDEX audit_events_org_idx ON audit_events (organization_id, id);
CREATE INDEX audit_events_target_idx ON audit_events (target_id, id);

-- Idempotency-Key claims: the first POST with a key records the resource it
-- created, in the same transaction; a retry gets that resource back.
CREATE TABLE idempotency_keys (
    principal_id   TEXT NOT NULL,
    key            TEXT NOT NULL,
    request_hash   TEXT NOT NULL,
    resource_id    TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    CONSTRAINT idempotency_keys_pkey PRIMARY KEY (principal_id, key)
);
