-- SQLite has no trigram index: `q` stays a filtered range scan (docs/ARCHITECTURE.md).

-- A foreign key without an index.
CREATE INDEX subscription_changes_customer_idx ON subscription_changes (customer_id);

-- Dashboard rollups (docs/ARCHITECTURE.md, "Dashboard rollups").
CREATE TABLE rollup_deltas (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    path   TEXT NOT NULL,
    metric TEXT NOT NULL,
    amount BIGINT NOT NULL
);
CREATE INDEX rollup_deltas_path_idx ON rollup_deltas (path, metric, amount);

CREATE TABLE rollup_totals (
    org_key TEXT NOT NULL,
    metric  TEXT NOT NULL,
    amount  BIGINT NOT NULL,
    PRIMARY KEY (org_key, metric)
);

CREATE TRIGGER organizations_rollup_insert AFTER INSERT ON organizations BEGIN
    INSERT INTO rollup_deltas (path, metric, amount) VALUES (NEW.path, 'org:' || NEW.kind || ':' || NEW.status, 1);
END;
CREATE TRIGGER organizations_rollup_delete AFTER DELETE ON organizations BEGIN
    INSERT INTO rollup_deltas (path, metric, amount) VALUES (OLD.path, 'org:' || OLD.kind || ':' || OLD.status, -1);
END;
CREATE TRIGGER organizations_rollup_update AFTER UPDATE OF kind, status ON organizations
WHEN OLD.kind IS NOT NEW.kind OR OLD.status IS NOT NEW.status BEGIN
    INSERT INTO rollup_deltas (path, metric, amount) VALUES (OLD.path, 'org:' || OLD.kind || ':' || OLD.status, -1);
    INSERT INTO rollup_deltas (path, metric, amount) VALUES (NEW.path, 'org:' || NEW.kind || ':' || NEW.status, 1);
END;

CREATE TRIGGER subscriptions_rollup_insert AFTER INSERT ON subscriptions WHEN NEW.status = 'active' BEGIN
    INSERT INTO rollup_deltas (path, metric, amount)
    SELECT NEW.customer_path, m, v FROM (
        SELECT 'subscriptions' AS m, 1 AS v
        UNION ALL SELECT 'seats_purchased', NEW.quantity
        UNION ALL SELECT 'seats_assigned', NEW.assigned
    ) WHERE v <> 0;
END;
CREATE TRIGGER subscriptions_rollup_delete AFTER DELETE ON subscriptions WHEN OLD.status = 'active' BEGIN
    INSERT INTO rollup_deltas (path, metric, amount)
    SELECT OLD.customer_path, m, v FROM (
        SELECT 'subscriptions' AS m, -1 AS v
        UNION ALL SELECT 'seats_purchased', -OLD.quantity
        UNION ALL SELECT 'seats_assigned', -OLD.assigned
    ) WHERE v <> 0;
END;
CREATE TRIGGER subscriptions_rollup_update AFTER UPDATE OF status, quantity, assigned ON subscriptions BEGIN
    INSERT INTO rollup_deltas (path, metric, amount)
    SELECT NEW.customer_path, m, v FROM (
        SELECT 'subscriptions' AS m,
               (CASE WHEN NEW.status = 'active' THEN 1 ELSE 0 END)
             - (CASE WHEN OLD.status = 'active' THEN 1 ELSE 0 END) AS v
        UNION ALL SELECT 'seats_purchased',
               (CASE WHEN NEW.status = 'active' THEN NEW.quantity ELSE 0 END)
             - (CASE WHEN OLD.status = 'active' THEN OLD.quantity ELSE 0 END)
        UNION ALL SELECT 'seats_assigned',
               (CASE WHEN NEW.status = 'active' THEN NEW.assigned ELSE 0 END)
             - (CASE WHEN OLD.status = 'active' THEN OLD.assigned ELSE 0 END)
    ) WHERE v <> 0;
END;

INSERT INTO rollup_deltas (path, metric, amount)
SELECT path, 'org:' || kind || ':' || status, 1 FROM organizations;
INSERT INTO rollup_deltas (path, metric, amount)
SELECT customer_path, 'subscriptions', COUNT(*) FROM subscriptions WHERE status = 'active' GROUP BY customer_path;
INSERT INTO rollup_deltas (path, metric, amount)
SELECT customer_path, 'seats_purchased', SUM(quantity) FROM subscriptions WHERE status = 'active' GROUP BY customer_path HAVING SUM(quantity) <> 0;
INSERT INTO rollup_deltas (path, metric, amount)
SELECT customer_path, 'seats_assigned', SUM(assigned) FROM subscriptions WHERE status = 'active' GROUP BY customer_path HAVING SUM(assigned) <> 0;
