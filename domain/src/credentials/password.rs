//! Passwords under NIST SP 800-63B: a length range and a list of common
//! passwords, no composition rules. The list ships with the product
//! (`common-passwords.txt`: the entries of at least 12 characters from Django's
//! 20,000 most common passwords; shorter ones fail the length rule anyway).

use std::collections::HashSet;
use std::sync::OnceLock;

use crate::error::FieldError;

pub const MIN_PASSWORD_CHARS: usize = 12;
pub const MAX_PASSWORD_CHARS: usize = 256;

const COMMON: &str = include_str!("common-passwords.txt");

fn common() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| COMMON.lines().map(str::trim).filter(|l| !l.is_empty()).collect())
}

/// A password that meets the rules. Never printed: its `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(…)")
    }
}

impl Password {
    /// Checks a new password; `field` names it in the error.
    pub fn parse(raw: &str, field: &str) -> Result<Self, FieldError> {
        let chars = raw.chars().count();
        if chars == 0 {
            return Err(FieldError::new(field, "required", format!("{field} must not be empty")));
        }
        if chars < MIN_PASSWORD_CHARS {
            return Err(FieldError::new(
                field,
                "too_short",
                format!("{field} needs at least {MIN_PASSWORD_CHARS} characters"),
            ));
        }
        if chars > MAX_PASSWORD_CHARS {
            return Err(FieldError::new(
                field,
                "too_long",
                format!("{field} may have at most {MAX_PASSWORD_CHARS} characters"),
            ));
        }
        if raw.contains('\0') {
            return Err(FieldError::new(
                field,
                "invalid",
                format!("{field} must not contain NUL"),
            ));
        }
        if common().contains(raw.to_lowercase().as_str()) {
            return Err(FieldError::new(
                field,
                "too_common",
                format!("{field} is one of the most common passwords; choose another"),
            ));
        }
        Ok(Self(raw.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_is_twelve_to_256_characters() {
        assert_eq!(Password::parse("", "password").unwrap_err().code, "required");
        assert_eq!(
            Password::parse("elevenchars", "password").unwrap_err().code,
            "too_short"
        );
        assert!(Password::parse("twelve chars", "password").is_ok());
        assert!(
            Password::parse(&"é".repeat(256), "password").is_ok(),
            "characters, not bytes"
        );
        let long = Password::parse(&"a".repeat(257), "new_password").unwrap_err();
        assert_eq!((long.field.as_str(), long.code), ("new_password", "too_long"));
    }

    #[test]
    fn common_passwords_are_refused_whatever_their_case() {
        assert!(common().len() > 100);
        assert_eq!(
            Password::parse("qwerty123456", "password").unwrap_err().code,
            "too_common"
        );
        assert_eq!(
            Password::parse("QWERTY123456", "password").unwrap_err().code,
            "too_common"
        );
        assert!(Password::parse("correct horse battery staple", "password").is_ok());
    }

    #[test]
    fn debug_never_shows_the_password() {
        let p = Password::parse("a secret passphrase", "password").unwrap();
        assert!(!format!("{p:?}").contains("secret"));
    }
}
