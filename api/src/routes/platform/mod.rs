//! Health, readiness, the JWKS of our signing key, and `/v1/me`.

mod health;
mod signing_keys;
mod whoami;

pub use health::{healthz, readyz};
pub use signing_keys::jwks;
pub use whoami::me;
