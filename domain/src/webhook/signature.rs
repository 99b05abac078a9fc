//! Signing secrets and signatures, per the Standard Webhooks specification:
//! a secret is `whsec_` + base64 of its key bytes, and a signature is
//! `v1,` + base64 of HMAC-SHA256(key, "{id}.{timestamp}.{body}").

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::Duration;
use hmac::{Hmac, Mac};
use sha2::Sha256;

const PREFIX: &str = "whsec_";
/// Fewest key bytes a secret may have.
const MIN_KEY_BYTES: usize = 24;
/// How long a replaced secret keeps signing beside the new one.
pub const PREVIOUS_SECRET_GRACE: Duration = Duration::hours(24);

/// A signing secret: its key bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(Vec<u8>);

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret(..)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("a webhook secret starts with `whsec_` and holds base64 of at least 24 bytes")]
    Malformed,
}

impl WebhookSecret {
    /// A secret of the given random bytes (the caller draws them).
    pub fn from_random(bytes: [u8; 32]) -> Self {
        Self(bytes.to_vec())
    }

    pub fn parse(s: &str) -> Result<Self, SecretError> {
        let key = s
            .strip_prefix(PREFIX)
            .and_then(|b| STANDARD.decode(b).ok())
            .ok_or(SecretError::Malformed)?;
        if key.len() < MIN_KEY_BYTES {
            return Err(SecretError::Malformed);
        }
        Ok(Self(key))
    }

    /// `whsec_…`, as shown once to the client and stored for signing.
    pub fn expose(&self) -> String {
        format!("{PREFIX}{}", STANDARD.encode(&self.0))
    }

    /// `v1,<base64 signature>` of one message.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        // HMAC takes keys of any length, so this cannot fail.
        let mut mac = match Hmac::<Sha256>::new_from_slice(&self.0) {
            Ok(mac) => mac,
            Err(_) => return String::new(),
        };
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
    }
}

/// The `webhook-signature` header: one signature per secret still signing, space-separated.
pub fn signature_header(secrets: &[&WebhookSecret], id: &str, timestamp: i64, body: &[u8]) -> String {
    secrets
        .iter()
        .map(|s| s.sign(id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_standard_webhooks_reference_vector() {
        // The example of the Standard Webhooks specification's reference libraries.
        let secret = WebhookSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let sig = secret.sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, br#"{"test": 2432232314}"#);
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn secrets_round_trip_and_short_ones_are_refused() {
        let s = WebhookSecret::from_random([7; 32]);
        let shown = s.expose();
        assert!(shown.starts_with("whsec_"));
        assert_eq!(WebhookSecret::parse(&shown), Ok(s.clone()));
        assert_eq!(WebhookSecret::parse("whsec_c2hvcnQ="), Err(SecretError::Malformed));
        assert_eq!(WebhookSecret::parse("nope"), Err(SecretError::Malformed));
        let other = WebhookSecret::from_random([8; 32]);
        let header = signature_header(&[&s, &other], "id", 1, b"{}");
        assert_eq!(header.split(' ').count(), 2);
        assert_ne!(s.sign("id", 1, b"{}"), other.sign("id", 1, b"{}"));
    }
}
