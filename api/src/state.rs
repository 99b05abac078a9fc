//! What every handler shares.

use std::sync::Arc;

use actix_web::web;
use persistence::{Store, StoreError};

use crate::auth::{SigningKeys, TokenVerifier};
use crate::config::Config;
use crate::error::ApiError;
use crate::rate_limit::RateLimiter;

pub struct AppState {
    pub store: Store,
    pub keys: Arc<SigningKeys>,
    pub verifier: TokenVerifier,
    /// Seals operators' TOTP secrets at rest.
    pub totp: crate::auth::TotpSealer,
    pub config: Config,
    /// Every caller's requests in the current window (`crate::rate_limit`).
    pub rate_limiter: RateLimiter,
    pub exports: crate::csv_export::ExportSlots,
    /// Set on SIGTERM: `/readyz` answers 503 while requests are still served.
    pub lifecycle: crate::shutdown::Lifecycle,
    /// What "now" is for expiries (tests move it forward).
    pub clock: crate::clock::Clock,
}

impl AppState {
    /// Runs synchronous store calls on the blocking pool, never on an actix
    /// worker, all on one pooled connection checked out once: one trip. A
    /// request makes one (guarded handlers through [`crate::guard::Guarded::db`]).
    pub async fn db<T, E, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        ApiError: From<E>,
        F: FnOnce(&Store) -> Result<T, E> + Send + 'static,
    {
        // Under an Idempotency-Key, the request's writes mark the key committed.
        let store = self.store.with_claim(crate::idempotency::current());
        Ok(web::block(move || store.session(f)).await??)
    }
}
