DROP INDEX organizations_kind_created_idx;
DROP TABLE subscription_changes;
DROP TABLE subscriptions;
DROP TABLE customer_users;
DROP TABLE service_instances;
