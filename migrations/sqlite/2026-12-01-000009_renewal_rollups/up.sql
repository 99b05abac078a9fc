-- Renewals from rollups: every active subscription counts once under the metric
-- `renew:<renewal date>` of its customer's subtree totals (see the PostgreSQL
-- migration of the same name).
CREATE TRIGGER subscriptions_renewal_insert AFTER INSERT ON subscriptions WHEN NEW.status = 'active' BEGIN
    INSERT INTO rollup_deltas (path, metric, amount) VALUES (NEW.customer_path, 'renew:' || NEW.renews_on, 1);
END;
CREATE TRIGGER subscriptions_renewal_delete AFTER DELETE ON subscriptions WHEN OLD.status = 'active' BEGIN
    INSERT INTO rollup_deltas (path, metric, amount) VALUES (OLD.customer_path, 'renew:' || OLD.renews_on, -1);
END;
CREATE TRIGGER subscriptions_renewal_update AFTER UPDATE OF status, renews_on ON subscriptions
WHEN (OLD.status = 'active' OR NEW.status = 'active')
 AND NOT (OLD.status = NEW.status AND OLD.renews_on = NEW.renews_on) BEGIN
    INSERT INTO rollup_deltas (path, metric, amount)
    SELECT OLD.customer_path, 'renew:' || OLD.renews_on, -1 WHERE OLD.status = 'active';
    INSERT INTO rollup_deltas (path, metric, amount)
    SELECT NEW.customer_path, 'renew:' || NEW.renews_on, 1 WHERE NEW.status = 'active';
END;

INSERT INTO rollup_deltas (path, metric, amount)
SELECT customer_path, 'renew:' || renews_on, COUNT(*)
FROM subscriptions WHERE status = 'active' GROUP BY customer_path, renews_on;

DROP INDEX subscriptions_status_renews_idx;
CREATE INDEX subscriptions_status_renews_idx ON subscriptions (status, renews_on, id);
DROP INDEX organizations_kind_created_idx;
CREATE INDEX organizations_kind_created_idx ON organizations (kind, created_at, id);
