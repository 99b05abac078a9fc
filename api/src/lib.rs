//! The partner portal's HTTP API (actix-web) and its command-line binary.

pub mod app;
pub mod auth;
pub mod billing;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod config;
pub mod csv_export;
pub mod error;
pub mod extract;
pub mod fallback;
pub mod guard;
pub mod mail;
pub mod openapi;
pub mod operator_import;
pub mod pagination;
pub mod preconditions;
pub mod problems;
pub mod rate_limit;
pub mod request_log;
pub mod rollup_worker;
pub mod routes;
pub mod sealer;
pub mod secrets;
pub mod startup;
pub mod state;
