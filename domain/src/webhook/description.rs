//! An endpoint's free-text description.

use crate::error::FieldError;

pub const MAX_DESCRIPTION_LEN: usize = 500;

/// Trimmed, at most [`MAX_DESCRIPTION_LEN`] characters, no control characters; may be empty.
pub fn parse_description(raw: &str) -> Result<String, FieldError> {
    let s = raw.trim();
    if s.chars().count() > MAX_DESCRIPTION_LEN {
        return Err(FieldError::new(
            "description",
            "too_long",
            format!("at most {MAX_DESCRIPTION_LEN} characters"),
        ));
    }
    if s.chars().any(char::is_control) {
        return Err(FieldError::new("description", "invalid", "no control characters"));
    }
    Ok(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_are_trimmed_short_and_printable() {
        assert_eq!(parse_description("  ConnectWise "), Ok("ConnectWise".into()));
        assert_eq!(parse_description(""), Ok(String::new()));
        assert!(parse_description(&"x".repeat(501)).is_err());
        assert!(parse_description("a\u{0}b").is_err());
    }
}
