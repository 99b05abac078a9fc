-- The audit log becomes tamper-evident and filterable by subtree.
--
-- seq: the chain order (unique; NULL only on events written before this
-- migration, which stay outside the chain: `partner-portal audit verify` starts at
-- the first chained event, whose prev_hash is the empty string).
-- hash: hex SHA-256 over the event's canonical content and prev_hash.
-- organization_path: the organisation's tree path when the event was written, so
-- subtree filters are range scans. The table is append-only, so a later move
-- leaves earlier events under the path the organisation had at the time.
ALTER TABLE audit_events ADD COLUMN seq BIGINT;
ALTER TABLE audit_events ADD COLUMN hash TEXT;
ALTER TABLE audit_events ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_events ADD COLUMN organization_path TEXT COLLATE "C";

UPDATE audit_events SET organization_path = COALESCE(
    (SELECT o.path FROM organizations o WHERE o.id = audit_events.organization_id), '');
ALTER TABLE audit_events ALTER COLUMN organization_path SET NOT NULL;

CREATE UNIQUE INDEX audit_events_seq_idx ON audit_events (seq);
CREATE INDEX audit_events_path_idx ON audit_events (organization_path, id);
CREATE INDEX audit_events_actor_idx ON audit_events (actor_id, id);

-- No update or delete path anywhere: the database refuses them too.
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_events_append_only
    BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate
    BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

-- Invoices: one per customer, period (YYYY-MM) and currency; the customer's
-- path is repeated (and follows moves) so subtree lists are range scans.
CREATE TABLE invoices (
    id               TEXT PRIMARY KEY,
    customer_id      TEXT NOT NULL REFERENCES organizations (id),
    customer_path    TEXT COLLATE "C" NOT NULL,
    period           TEXT NOT NULL,
    currency         TEXT NOT NULL,
    status           TEXT NOT NULL,
    total_minor      BIGINT NOT NULL,
    version          BIGINT NOT NULL,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL,
    issued_at        TIMESTAMP,
    paid_at          TIMESTAMP,
    voided_at        TIMESTAMP,
    CONSTRAINT invoices_customer_period_currency_key UNIQUE (customer_id, period, currency)
);
CREATE INDEX invoices_path_idx ON invoices (customer_path, id);
CREATE INDEX invoices_period_idx ON invoices (period, customer_path);

-- One line per subscription billed; quantity is seat-days over days_in_period.
CREATE TABLE invoice_lines (
    id                TEXT PRIMARY KEY,
    invoice_id        TEXT NOT NULL REFERENCES invoices (id),
    subscription_id   TEXT NOT NULL,
    customer_path     TEXT COLLATE "C" NOT NULL,
    period            TEXT NOT NULL,
    sku               TEXT NOT NULL,
    description       TEXT NOT NULL,
    billing_cycle     TEXT NOT NULL,
    seat_days         BIGINT NOT NULL,
    days_in_period    BIGINT NOT NULL,
    unit_price_minor  BIGINT NOT NULL,
    amount_minor      BIGINT NOT NULL
);
CREATE INDEX invoice_lines_invoice_idx ON invoice_lines (invoice_id, id);
CREATE INDEX invoice_lines_period_idx ON invoice_lines (period, customer_path, id);
