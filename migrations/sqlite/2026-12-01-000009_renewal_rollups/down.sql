DROP INDEX organizations_kind_created_idx;
CREATE INDEX organizations_kind_created_idx ON organizations (kind, created_at);
DROP INDEX subscriptions_status_renews_idx;
CREATE INDEX subscriptions_status_renews_idx ON subscriptions (status, renews_on);

DELETE FROM rollup_deltas WHERE metric LIKE 'renew:%';
DELETE FROM rollup_totals WHERE metric LIKE 'renew:%';
DROP TRIGGER subscriptions_renewal_update;
DROP TRIGGER subscriptions_renewal_delete;
DROP TRIGGER subscriptions_renewal_insert;
