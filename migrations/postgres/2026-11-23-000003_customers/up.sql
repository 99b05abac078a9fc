-- Customers' services, people and purchases.

-- A service provisioned for a customer in a region. Removing one keeps the row
-- (removed_at set); only live instances are unique per (customer, service, region).
CREATE TABLE service_instances (
    id          TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES organizations(id),
    service     TEXT NOT NULL,
    region      TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    removed_at  TIMESTAMP
);
CREATE UNIQUE INDEX service_instances_live_key ON service_instances (customer_id, service, region) WHERE removed_at IS NULL;

-- Users of a customer tenant (the customer portal's people).
CREATE TABLE customer_users (
    id              TEXT PRIMARY KEY,
    customer_id     TEXT NOT NULL REFERENCES organizations(id),
    email           TEXT NOT NULL,
    name            TEXT NOT NULL,
    mobile          TEXT,
    is_admin        BOOLEAN NOT NULL,
    is_master_admin BOOLEAN NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
    last_sign_in_at TIMESTAMP,
    version         BIGINT NOT NULL DEFAULT 1,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    CONSTRAINT customer_users_customer_email_key UNIQUE (customer_id, email)
);

-- A customer's purchase of a SKU. `customer_path` repeats the customer's tree
-- path so subtree listings and totals are range scans of this table alone
-- (moves rewrite it together with organizations.path).
CREATE TABLE subscriptions (
    id               TEXT PRIMARY KEY,
    customer_id      TEXT NOT NULL REFERENCES organizations(id),
    customer_path    TEXT COLLATE "C" NOT NULL,
    sku              TEXT NOT NULL,
    description      TEXT NOT NULL,
    quantity         BIGINT NOT NULL CHECK (quantity >= 0),
    assigned         BIGINT NOT NULL CHECK (assigned >= 0 AND assigned <= quantity),
    unit_price_minor BIGINT NOT NULL CHECK (unit_price_minor >= 0),
    currency         TEXT NOT NULL,
    billing_cycle    TEXT NOT NULL CHECK (billing_cycle IN ('monthly', 'annual')),
    renews_on        DATE NOT NULL,
    auto_renew       BOOLEAN NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'expired', 'cancelled')),
    version          BIGINT NOT NULL DEFAULT 1,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
CREATE INDEX subscriptions_customer_idx ON subscriptions (customer_id, id);
CREATE INDEX subscriptions_path_idx ON subscriptions (customer_path, id);
-- Renewals in a window: an index-only scan that filters the subtree in the index.
CREATE INDEX subscriptions_status_renews_idx ON subscriptions (status, renews_on) INCLUDE (customer_path);

-- Every change of quantity or assigned seats, as the new values and the deltas
-- (the usage series sums deltas up to each day or month).
CREATE TABLE subscription_changes (
    id               TEXT PRIMARY KEY,
    subscription_id  TEXT NOT NULL REFERENCES subscriptions(id),
    customer_id      TEXT NOT NULL REFERENCES organizations(id),
    customer_path    TEXT COLLATE "C" NOT NULL,
    changed_at       TIMESTAMP NOT NULL,
    quantity         BIGINT NOT NULL,
    assigned         BIGINT NOT NULL,
    quantity_delta   BIGINT NOT NULL,
    assigned_delta   BIGINT NOT NULL
);
CREATE INDEX subscription_changes_subscription_idx ON subscription_changes (subscription_id, changed_at);
CREATE INDEX subscription_changes_path_idx ON subscription_changes (customer_path, changed_at);

-- Dashboard: the newest customers of a subtree.
CREATE INDEX organizations_kind_created_idx ON organizations (kind, created_at);
