//! One integration binary (short link times); each module covers one capability.

mod auth;
mod http_conventions;
mod organizations_crud;
mod organizations_listing;
mod organizations_moves;
mod organizations_scope;
mod organizations_status;
mod platform;
