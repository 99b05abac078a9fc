//! Onboarding: an admin sends a pending organisation's activation link
//! (`/v1/organizations/{id}/activation-link`); whoever receives it reads and
//! accepts it without a token (`/v1/activations/{token}`, public, rate limited)
//! and becomes the organisation's first admin.
//!
//! The token is 256 random bits, base64url; only its SHA-256 is stored, it is
//! never in a response or a log line, only in the mail that carries the link.

mod accept;
mod inspect;
mod revoke;
mod send;
pub mod view;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(send::send_activation_link)
        .service(revoke::revoke_activation_link)
        .service(inspect::get_activation)
        .service(accept::accept_activation);
}

/// Longer path segments cannot be tokens; they are refused before any hashing.
pub const MAX_TOKEN_CHARS: usize = 128;

/// A new activation token (32 random bytes, base64url) and its stored hash.
pub fn activation_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = crate::secrets::hash(&token);
    (token, hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_base64url_and_hashed() {
        let (a, ha) = activation_token();
        let (b, hb) = activation_token();
        assert_ne!(a, b);
        assert_ne!(ha, hb);
        assert_eq!(a.len(), 43);
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
        assert_eq!(ha, crate::secrets::hash(&a));
        assert_eq!(ha.len(), 64);
    }
}
