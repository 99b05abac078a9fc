DROP INDEX operators_home_idx;
DROP TABLE api_clients;
