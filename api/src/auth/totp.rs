//! Second factor: RFC 6238 TOTP (SHA-1, 6 digits, 30 s). Secrets are 160 random
//! bits, stored sealed with ChaCha20-Poly1305 under a key from `TOTP_KEY_FILE`
//! or generated into the data folder like the signing key; the operator's id is
//! the associated data, so a sealed secret copied to another row does not open.

use std::path::Path;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Nonce};
use chrono::{DateTime, Utc};
use domain::credentials::{totp_steps, TOTP_DIGITS, TOTP_PERIOD_SECS};
use rand::RngCore;
use totp_rs::{Algorithm, TOTP};
use uuid::Uuid;

use crate::auth::keys::{write_private, KeyError};
use crate::error::ApiError;

/// Sealed secrets start with this, so the format can change later.
const SEALED_PREFIX: &str = "v1:";

/// Seals and opens TOTP secrets.
pub struct TotpSealer {
    cipher: ChaCha20Poly1305,
}

impl TotpSealer {
    /// The key at `path` (`Config::totp_key_path`), created if missing (32
    /// random bytes, base64).
    pub fn load_or_generate(path: &Path) -> Result<Self, KeyError> {
        let io = |source| KeyError::Io {
            path: path.to_path_buf(),
            source,
        };
        let key = if path.exists() {
            let text = std::fs::read_to_string(path).map_err(io)?;
            STANDARD
                .decode(text.trim())
                .ok()
                .filter(|k| k.len() == 32)
                .ok_or_else(|| KeyError::Format(format!("{} must hold 32 bytes in base64", path.display())))?
        } else {
            let mut key = vec![0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut key);
            write_private(path, STANDARD.encode(&key).as_bytes())?;
            tracing::info!(path = %path.display(), "generated a new TOTP sealing key");
            key
        };
        let cipher = ChaCha20Poly1305::new_from_slice(&key)
            .map_err(|_| KeyError::Format(format!("{} must hold 32 bytes in base64", path.display())))?;
        Ok(Self { cipher })
    }

    pub fn seal(&self, operator: Uuid, secret: &TotpSecret) -> Result<String, ApiError> {
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let aad = operator.to_string();
        let sealed = self
            .cipher
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: &secret.0,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| ApiError::Internal("cannot seal a TOTP secret".into()))?;
        let mut bytes = nonce.to_vec();
        bytes.extend(sealed);
        Ok(format!("{SEALED_PREFIX}{}", STANDARD.encode(bytes)))
    }

    pub fn open(&self, operator: Uuid, sealed: &str) -> Result<TotpSecret, ApiError> {
        let corrupt = || ApiError::Internal(format!("the TOTP secret of operator {operator} does not open"));
        let bytes = sealed
            .strip_prefix(SEALED_PREFIX)
            .and_then(|b| STANDARD.decode(b).ok())
            .filter(|b| b.len() > 12)
            .ok_or_else(corrupt)?;
        let (nonce, body) = bytes.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().map_err(|_| corrupt())?;
        let aad = operator.to_string();
        self.cipher
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: body,
                    aad: aad.as_bytes(),
                },
            )
            .map(TotpSecret)
            .map_err(|_| corrupt())
    }
}

/// A TOTP secret in the clear: only in memory, never logged.
pub struct TotpSecret(Vec<u8>);

impl TotpSecret {
    pub fn generate() -> Self {
        let mut bytes = vec![0u8; 20];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self(bytes)
    }

    fn totp(&self, issuer: &str, account: &str) -> TOTP {
        TOTP::new_unchecked(
            Algorithm::SHA1,
            TOTP_DIGITS,
            0,
            TOTP_PERIOD_SECS as u64,
            self.0.clone(),
            Some(issuer.to_string()),
            account.to_string(),
        )
    }

    /// A secret as an authenticator holds it (base32, as enrolment shows it).
    pub fn from_base32(encoded: &str) -> Option<Self> {
        totp_rs::Secret::Encoded(encoded.to_string()).to_bytes().ok().map(Self)
    }

    /// The secret in base32, for typing into an authenticator.
    pub fn base32(&self) -> String {
        self.totp("", "").get_secret_base32()
    }

    /// The `otpauth://totp/…` URI authenticators read from a QR code.
    pub fn otpauth_uri(&self, issuer: &str, account: &str) -> String {
        self.totp(issuer, account).get_url()
    }

    /// The time step `code` belongs to, if it is right at `now` (one step of drift either way).
    pub fn step_of(&self, code: &str, now: DateTime<Utc>) -> Option<i64> {
        let code = code.trim();
        if code.len() != TOTP_DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let totp = self.totp("", "");
        totp_steps(now)
            .into_iter()
            .filter(|s| *s >= 0)
            .find(|s| totp.generate((s * TOTP_PERIOD_SECS) as u64) == code)
    }

    /// The code of the step at `at` (tests and the enrolment's own checks).
    pub fn code_at(&self, at: DateTime<Utc>) -> String {
        self.totp("", "").generate(at.timestamp().max(0) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_6238_sha1_vector() {
        // RFC 6238 appendix B, SHA-1, T = 59 s: 94287082 (8 digits); 6 digits: 287082.
        let secret = TotpSecret(b"12345678901234567890".to_vec());
        let at = DateTime::from_timestamp(59, 0).unwrap();
        assert_eq!(secret.code_at(at), "287082");
        assert_eq!(secret.step_of("287082", at), Some(1));
        assert_eq!(secret.step_of("287083", at), None);
        assert_eq!(secret.step_of("28708", at), None);
    }

    #[test]
    fn sealed_secrets_open_only_for_their_operator() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data").join("totp-key");
        let sealer = TotpSealer::load_or_generate(&path).unwrap();
        let secret = TotpSecret::generate();
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let sealed = sealer.seal(a, &secret).unwrap();
        assert_eq!(sealer.open(a, &sealed).unwrap().0, secret.0);
        assert!(sealer.open(b, &sealed).is_err());
        let again = TotpSealer::load_or_generate(&path).unwrap();
        assert_eq!(again.open(a, &sealed).unwrap().0, secret.0, "the key file is reused");
    }
}
