//! Client secrets: 256 random bits, shown once, stored as a SHA-256 hash.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Secrets carry a prefix so secret scanners can recognise leaked ones.
const PREFIX: &str = "pps_";

/// A new secret and its hash.
pub fn generate() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let secret = format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
    let hash = hash(&secret);
    (secret, hash)
}

pub fn hash(secret: &str) -> String {
    format!("{:x}", Sha256::digest(secret.as_bytes()))
}

/// Compares without an early exit, so timing says nothing about where hashes differ.
pub fn matches(secret: &str, stored_hash: &str) -> bool {
    let given = hash(secret);
    given.len() == stored_hash.len()
        && given
            .bytes()
            .zip(stored_hash.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_prefixed_and_verifiable() {
        let (a, ha) = generate();
        let (b, _) = generate();
        assert_ne!(a, b);
        assert!(a.starts_with("pps_") && a.len() == 4 + 43);
        assert!(matches(&a, &ha));
        assert!(!matches(&b, &ha));
        assert!(!matches("", &ha));
    }
}
