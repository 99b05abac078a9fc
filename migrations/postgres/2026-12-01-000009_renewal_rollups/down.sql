DROP INDEX organizations_kind_created_idx;
CREATE INDEX organizations_kind_created_idx ON organizations (kind, created_at);
DROP INDEX subscriptions_status_renews_idx;
CREATE INDEX subscriptions_status_renews_idx ON subscriptions (status, renews_on) INCLUDE (customer_path);

DELETE FROM rollup_deltas WHERE metric LIKE 'renew:%';
DELETE FROM rollup_totals WHERE metric LIKE 'renew:%';
DROP TRIGGER subscriptions_rollup ON subscriptions;
CREATE OR REPLACE FUNCTION rollup_subscriptions() RETURNS trigger LANGUAGE plpgsql AS $$
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
