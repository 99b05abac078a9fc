//! `Idempotency-Key` on every POST and PATCH that creates or changes something
//! (Stripe's semantics). [`middleware`] claims the caller's key in the
//! database before the handler runs (in flight, under a lease), the handler's
//! own write transaction marks it committed (the claim reaches
//! [`crate::state::AppState::db`] through a task-local, so no handler passes
//! it), and the answer is kept for replays within [`RETENTION`]. Which
//! operations take a key, and why the others do not, is read from the OpenAPI
//! document ([`spec`]). [`sweeper`] deletes expired keys.

pub mod body;
pub mod middleware;
pub mod spec;
pub mod sweeper;

use actix_web::http::header::HeaderValue;
use persistence::KeyClaim;

use crate::error::ApiError;

/// The request header that carries the key.
pub const HEADER: &str = "Idempotency-Key";
/// The response header that marks a replayed answer.
pub const REPLAYED: &str = "Idempotent-Replayed";
/// The longest key accepted.
pub const MAX_KEY_LEN: usize = 255;
/// How long a key's answer is replayed.
pub const RETENTION_SECS: i64 = 24 * 3600;
/// How long a request holds its key before a retry may take it over (only
/// when nothing committed under it).
pub const LEASE_SECS: i64 = 60;
/// Answers larger than this are not kept (their key then refuses retries
/// once something committed, see [`middleware`]).
pub const MAX_ANSWER_BYTES: usize = 1 << 20;

/// How long a key's answer is replayed, as a duration.
pub fn retention() -> chrono::Duration {
    chrono::Duration::seconds(RETENTION_SECS)
}

tokio::task_local! {
    static CLAIM: KeyClaim;
}

/// The key the request in hand holds, to carry onto its blocking trip.
pub fn current() -> Option<KeyClaim> {
    CLAIM.try_with(KeyClaim::clone).ok()
}

/// A key of 1 to 255 visible ASCII characters; 422 naming the header otherwise.
pub fn parse_key(raw: &HeaderValue) -> Result<String, ApiError> {
    let bytes = raw.as_bytes();
    if bytes.is_empty() || bytes.len() > MAX_KEY_LEN || !bytes.iter().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::invalid(
            HEADER,
            "invalid_value",
            format!("must be 1 to {MAX_KEY_LEN} visible ASCII characters"),
        ));
    }
    Ok(String::from_utf8_lossy(bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_one_to_255_visible_ascii_characters() {
        let ok = |s: &str| parse_key(&HeaderValue::from_str(s).unwrap_or(HeaderValue::from_static(""))).is_ok();
        assert!(ok("a"));
        assert!(ok(&"k".repeat(255)));
        assert!(!ok(&"k".repeat(256)));
        assert!(!ok(""));
        assert!(!ok("two words"));
    }
}
