DROP TRIGGER subscriptions_rollup ON subscriptions;
DROP FUNCTION rollup_subscriptions();
DROP TRIGGER organizations_rollup_update ON organizations;
DROP TRIGGER organizations_rollup_insert_delete ON organizations;
DROP FUNCTION rollup_organizations();
DROP TABLE rollup_totals;
DROP TABLE rollup_deltas;
DROP INDEX subscription_changes_customer_idx;
-- The extension stays: other schemas of the database may use it.
DROP INDEX organizations_name_trgm_idx;
