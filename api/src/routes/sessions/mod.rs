//! Local sign-in: e-mail and password (and a TOTP code when the account has a
//! second factor) for a bearer token, password changes and resets, and
//! second-factor enrolment. Passwords are hashed on the blocking pool.

mod customer_sign_in;
mod password;
mod resets;
mod sign_in;
mod totp;
pub mod view;

use actix_web::HttpRequest;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(sign_in::create_session)
        .service(customer_sign_in::create_customer_session)
        .service(resets::request_password_reset)
        .service(resets::reset_password)
        .service(password::change_password)
        .service(totp::start_totp_enrolment)
        .service(totp::confirm_totp_enrolment)
        .service(totp::remove_totp);
}

/// The client's address (throttling key): behind `TRUSTED_PROXIES`, the one
/// its trusted proxies forwarded for (`client_addr`).
fn client_address(req: &HttpRequest) -> String {
    crate::client_addr::ClientAddr::of(req)
        .map(|ip| ip.to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// 429 with `Retry-After` while the e-mail or the client address is
/// throttled (`domain::credentials::sign_in_retry_after`), before any password is looked at.
fn refuse_if_throttled(
    by_email: domain::credentials::Throttle,
    by_address: domain::credentials::Throttle,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), crate::error::ApiError> {
    match domain::credentials::sign_in_retry_after(by_email, by_address, now) {
        Some(secs) => {
            crate::metrics::rate_limited("sign_in");
            Err(crate::error::ApiError::RateLimited { retry_after_secs: secs })
        }
        None => Ok(()),
    }
}

/// Runs CPU-heavy work (Argon2) on the blocking pool, off the async workers.
async fn off_workers<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, crate::error::ApiError> + Send + 'static,
) -> Result<T, crate::error::ApiError> {
    actix_web::web::block(f)
        .await
        .map_err(|e| crate::error::ApiError::Internal(format!("blocking pool: {e}")))?
}
