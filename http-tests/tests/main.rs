//! One integration binary (short link times); each module covers one capability.

mod activations;
mod api_clients;
mod applications;
mod audit_log;
mod auth;
mod billing;
mod customer_summary;
mod customer_users;
mod domains;
mod http_conventions;
mod insights;
mod mail_outbox;
mod oauth;
mod operations;
mod operator_import;
mod operators;
mod organizations_crud;
mod organizations_listing;
mod organizations_moves;
mod organizations_scope;
mod organizations_status;
mod pages_by_kind;
mod platform;
mod reports;
mod service_instances;
mod subscriptions;
