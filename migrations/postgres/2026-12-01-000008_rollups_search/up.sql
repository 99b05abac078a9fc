-- Name search at scale: a trigram index the `name_lower LIKE '%…%'` search uses.
-- The extension lives once per database in `public` (tests run in one schema
-- each), so the operator class is named with its schema.
-- Concurrent migrations of several schemas (parallel tests on a fresh database)
-- would race on the extension's catalog row: they take turns (until commit).
SELECT pg_advisory_xact_lock(7370677472676);
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
CREATE INDEX organizations_name_trgm_idx ON organizations USING gin (name_lower public.gin_trgm_ops);

-- A foreign key without an index.
CREATE INDEX subscription_changes_customer_idx ON subscription_changes (customer_id);

-- Dashboard rollups (docs/ARCHITECTURE.md, "Dashboard rollups").
-- Every change to a figure the dashboard shows appends a delta at the tree path
-- it belongs to (triggers below; insert-only, so writes never contend on a row).
CREATE TABLE rollup_deltas (
    id     BIGSERIAL PRIMARY KEY,
    path   TEXT COLLATE "C" NOT NULL,
    metric TEXT NOT NULL,
    amount BIGINT NOT NULL
);
CREATE INDEX rollup_deltas_path_idx ON rollup_deltas (path) INCLUDE (metric, amount);
-- Folding deletes every row soon after its insert: vacuum after a few thousand
-- dead rows, not a fraction of the table, so reads do not wade through them.
ALTER TABLE rollup_deltas SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000,
                               autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 5000);

-- Folded deltas: the total of each metric over the subtree of each organisation
-- (keyed by its id as written in paths: 32 hex digits). Only the folding job
-- and moves write here.
CREATE TABLE rollup_totals (
    org_key TEXT NOT NULL,
    metric  TEXT NOT NULL,
    amount  BIGINT NOT NULL,
    PRIMARY KEY (org_key, metric)
);

CREATE FUNCTION rollup_organizations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO rollup_deltas (path, metric, amount)
        VALUES (OLD.path, 'org:' || OLD.kind || ':' || OLD.status, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO rollup_deltas (path, metric, amount)
        VALUES (NEW.path, 'org:' || NEW.kind || ':' || NEW.status, 1);
    END IF;
    RETURN NULL;
END $$;
-- Path rewrites (moves) are not deltas: the move moves the folded totals itself.
CREATE TRIGGER organizations_rollup_insert_delete
    AFTER INSERT OR DELETE ON organizations
    FOR EACH ROW EXECUTE FUNCTION rollup_organizations();
CREATE TRIGGER organizations_rollup_update
    AFTER UPDATE OF kind, status ON organizations
    FOR EACH ROW WHEN (OLD.kind IS DISTINCT FROM NEW.kind OR OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION rollup_organizations();

-- Active subscriptions count, with their seats.
CREATE FUNCTION rollup_subscriptions() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    n BIGINT := 0;
    q BIGINT := 0;
    a BIGINT := 0;
    p TEXT;
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'active' THEN
        n := 1; q := NEW.quantity; a := NEW.assigned;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'active' THEN
        n := n - 1; q := q - OLD.quantity; a := a - OLD.assigned;
    END IF;
    IF TG_OP = 'DELETE' THEN p := OLD.customer_path; ELSE p := NEW.customer_path; END IF;
    INSERT INTO rollup_deltas (path, metric, amount)
    SELECT p, d.m, d.v
    FROM (VALUES ('subscriptions', n), ('seats_purchased', q), ('seats_assigned', a)) AS d(m, v)
    WHERE d.v <> 0;
    RETURN NULL;
END $$;
CREATE TRIGGER subscriptions_rollup
    AFTER INSERT OR DELETE OR UPDATE OF status, quantity, assigned ON subscriptions
    FOR EACH ROW EXECUTE FUNCTION rollup_subscriptions();

-- What exists already becomes pending deltas; the folding job folds them.
INSERT INTO rollup_deltas (path, metric, amount)
SELECT path, 'org:' || kind || ':' || status, 1 FROM organizations;
INSERT INTO rollup_deltas (path, metric, amount)
SELECT customer_path, d.m, d.v
FROM (
    SELECT customer_path, COUNT(*) AS n, SUM(quantity) AS q, SUM(assigned) AS a
    FROM subscriptions WHERE status = 'active' GROUP BY customer_path
) s
CROSS JOIN LATERAL (VALUES ('subscriptions', s.n), ('seats_purchased', s.q), ('seats_assigned', s.a)) AS d(m, v)
WHERE d.v <> 0;
