//! Password hashing: Argon2id with OWASP's parameters (19 MiB, 2 iterations,
//! 1 lane) and a random salt per password, as PHC strings. Hashing takes tens
//! of milliseconds of CPU, so callers run it on the blocking pool, never on an
//! async worker. Unknown e-mails are checked against a dummy hash, so they take
//! as long as a wrong password.

use std::sync::OnceLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::error::ApiError;

/// Memory cost in KiB (19 MiB).
pub const MEMORY_KIB: u32 = 19 * 1024;
pub const ITERATIONS: u32 = 2;
pub const LANES: u32 = 1;

/// The configured Argon2id instance.
pub struct PasswordHasher;

impl PasswordHasher {
    fn argon2() -> Result<Argon2<'static>, ApiError> {
        let params = Params::new(MEMORY_KIB, ITERATIONS, LANES, None)
            .map_err(|e| ApiError::Internal(format!("argon2 parameters: {e}")))?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }

    /// A hash of a random password, made once, that unknown accounts are checked against.
    fn dummy() -> Result<&'static str, ApiError> {
        static DUMMY: OnceLock<String> = OnceLock::new();
        if let Some(h) = DUMMY.get() {
            return Ok(h);
        }
        let made = hash_password(&crate::secrets::generate().0)?;
        Ok(DUMMY.get_or_init(|| made))
    }
}

/// A PHC string for `password` (blocking: call it off the async workers).
pub fn hash_password(password: &str) -> Result<String, ApiError> {
    let salt = SaltString::generate(&mut OsRng);
    PasswordHasher::argon2()?
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ApiError::Internal(format!("argon2: {e}")))
}

/// Whether `password` matches `stored`; with no stored hash it checks a dummy
/// one (and answers `false`), so the time spent says nothing (blocking).
pub fn verify_password(password: &str, stored: Option<&str>) -> Result<bool, ApiError> {
    let (phc, real) = match stored {
        Some(s) => (s, true),
        None => (PasswordHasher::dummy()?, false),
    };
    let parsed = PasswordHash::new(phc).map_err(|e| ApiError::Internal(format!("stored password hash: {e}")))?;
    let ok = PasswordHasher::argon2()?
        .verify_password(password.as_bytes(), &parsed)
        .is_ok();
    Ok(ok && real)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_salted_argon2id_with_owasp_parameters() {
        let a = hash_password("correct horse battery").unwrap();
        let b = hash_password("correct horse battery").unwrap();
        assert_ne!(a, b, "a salt per password");
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert!(verify_password("correct horse battery", Some(&a)).unwrap());
        assert!(!verify_password("wrong horse battery", Some(&a)).unwrap());
        assert!(!verify_password("correct horse battery", None).unwrap());
    }
}
