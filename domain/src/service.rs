//! Service instances: a service provisioned for a customer in a region.

use crate::error::FieldError;

/// A lowercase slug, 1–63 characters of `a-z`, `0-9` and `-`, starting with a letter or digit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slug(String);

impl Slug {
    pub fn parse(raw: &str, field: &str) -> Result<Self, FieldError> {
        let s = raw.trim();
        let ok = !s.is_empty()
            && s.len() <= 63
            && s.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if ok {
            Ok(Self(s.to_string()))
        } else {
            Err(FieldError::new(
                field,
                "invalid_slug",
                "1–63 lowercase letters, digits or `-`, starting with a letter or digit (e.g. call-manager)",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::Slug;

    #[test]
    fn slugs() {
        assert!(Slug::parse("call-manager", "service").is_ok());
        assert!(Slug::parse("eu-west-1", "region").is_ok());
        assert_eq!(Slug::parse("Call Manager", "service").unwrap_err().field, "service");
        assert!(Slug::parse("-x", "region").is_err());
        assert!(Slug::parse("", "region").is_err());
    }
}
