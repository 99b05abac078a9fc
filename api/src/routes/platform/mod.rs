//! Health, readiness, metrics, the JWKS of our signing key, and `/v1/me`.

mod health;
mod prometheus;
mod signing_keys;
mod whoami;

pub use health::{healthz, readyz};
pub use prometheus::metrics;
pub use signing_keys::jwks;
pub use whoami::me;
