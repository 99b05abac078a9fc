-- Credentials of PSA integrations: the secret is stored only as a SHA-256 hash.
CREATE TABLE api_clients (
    id                   TEXT PRIMARY KEY,
    home_organization_id TEXT NOT NULL REFERENCES organizations(id),
    name                 TEXT NOT NULL,
    roles                TEXT NOT NULL,
    secret_hash          TEXT NOT NULL,
    status               TEXT NOT NULL CHECK (status IN ('active', 'revoked')),
    last_used_at         TIMESTAMP,
    version              BIGINT NOT NULL DEFAULT 1,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL
);
CREATE INDEX api_clients_home_idx ON api_clients (home_organization_id, id);
CREATE INDEX operators_home_idx ON operators (home_organization_id, id);
