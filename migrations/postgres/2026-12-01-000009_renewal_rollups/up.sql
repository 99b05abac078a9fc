-- Renewals from rollups: every active subscription counts once under the metric
-- `renew:<renewal date>` of its customer's subtree totals, so the dashboard's
-- renewal count over any window is a sum of at most 366 rows of one
-- organisation (docs/ARCHITECTURE.md, "Dashboard rollups").
CREATE OR REPLACE FUNCTION rollup_subscriptions() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    n BIGINT := 0;
    q BIGINT := 0;
    a BIGINT := 0;
    p TEXT;
    was TEXT;
    now_ TEXT;
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'active' THEN
        n := 1; q := NEW.quantity; a := NEW.assigned;
        now_ := 'renew:' || to_char(NEW.renews_on, 'YYYY-MM-DD');
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'active' THEN
        n := n - 1; q := q - OLD.quantity; a := a - OLD.assigned;
        was := 'renew:' || to_char(OLD.renews_on, 'YYYY-MM-DD');
    END IF;
    IF was = now_ THEN was := NULL; now_ := NULL; END IF;
    IF TG_OP = 'DELETE' THEN p := OLD.customer_path; ELSE p := NEW.customer_path; END IF;
    INSERT INTO rollup_deltas (path, metric, amount)
    SELECT p, d.m, d.v
    FROM (VALUES ('subscriptions', n), ('seats_purchased', q), ('seats_assigned', a),
                 (was, -1), (now_, 1)) AS d(m, v)
    WHERE d.v <> 0 AND d.m IS NOT NULL;
    RETURN NULL;
END $$;
DROP TRIGGER subscriptions_rollup ON subscriptions;
CREATE TRIGGER subscriptions_rollup
    AFTER INSERT OR DELETE OR UPDATE OF status, quantity, assigned, renews_on ON subscriptions
    FOR EACH ROW EXECUTE FUNCTION rollup_subscriptions();

INSERT INTO rollup_deltas (path, metric, amount)
SELECT customer_path, 'renew:' || to_char(renews_on, 'YYYY-MM-DD'), COUNT(*)
FROM subscriptions WHERE status = 'active' GROUP BY customer_path, renews_on;

-- The earliest renewals and the newest customers of a large subtree are read
-- in index order and stop at the page's end.
DROP INDEX subscriptions_status_renews_idx;
CREATE INDEX subscriptions_status_renews_idx ON subscriptions (status, renews_on, id) INCLUDE (customer_path);
DROP INDEX organizations_kind_created_idx;
CREATE INDEX organizations_kind_created_idx ON organizations (kind, created_at, id);
