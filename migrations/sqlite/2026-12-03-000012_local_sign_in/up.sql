-- Local sign-in. Passwords are Argon2id PHC strings; TOTP secrets are sealed
-- (ChaCha20-Poly1305 with the key from configuration); `totp_last_step` is the
-- last accepted time step, so a code is accepted once. A token issued before
-- `credentials_changed_at` (a password change or reset) is refused.
ALTER TABLE operators ADD COLUMN password_hash TEXT;
ALTER TABLE operators ADD COLUMN credentials_changed_at TIMESTAMP;
ALTER TABLE operators ADD COLUMN totp_secret TEXT;
ALTER TABLE operators ADD COLUMN totp_confirmed_at TIMESTAMP;
ALTER TABLE operators ADD COLUMN totp_last_step BIGINT;
ALTER TABLE customer_users ADD COLUMN password_hash TEXT;
ALTER TABLE customer_users ADD COLUMN credentials_changed_at TIMESTAMP;

-- An organisation that requires a second factor of every operator below it.
ALTER TABLE organizations ADD COLUMN require_totp BOOLEAN NOT NULL DEFAULT FALSE;

-- Failed sign-ins, counted per e-mail and per client address over a window.
CREATE TABLE sign_in_failures (
    id              TEXT PRIMARY KEY,
    email           TEXT NOT NULL,
    client_address  TEXT NOT NULL,
    failed_at       TIMESTAMP NOT NULL
);
CREATE INDEX sign_in_failures_email_idx ON sign_in_failures (email, failed_at);
CREATE INDEX sign_in_failures_address_idx ON sign_in_failures (client_address, failed_at);

-- Single-use links that set a password (resets and invitations), for an
-- operator or a customer user; only the token's SHA-256 is stored.
CREATE TABLE password_links (
    id                TEXT PRIMARY KEY,
    token_hash        TEXT NOT NULL UNIQUE,
    purpose           TEXT NOT NULL,
    operator_id       TEXT REFERENCES operators (id),
    customer_user_id  TEXT REFERENCES customer_users (id),
    created_at        TIMESTAMP NOT NULL,
    expires_at        TIMESTAMP NOT NULL,
    used_at           TIMESTAMP
);
CREATE INDEX password_links_operator_idx ON password_links (operator_id);
CREATE INDEX password_links_customer_user_idx ON password_links (customer_user_id);
