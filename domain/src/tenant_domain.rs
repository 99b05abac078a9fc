//! The initial domain of a Microsoft tenant: `<prefix>.onmicrosoft.com`.

use crate::error::FieldError;

/// A valid `<prefix>.onmicrosoft.com`, lowercased. The prefix is Latin letters and
/// digits only, 1 to 27 characters (Microsoft's limit for initial domains).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TenantDomain(String);

impl TenantDomain {
    pub const SUFFIX: &'static str = ".onmicrosoft.com";
    pub const MAX_PREFIX: usize = 27;

    pub fn parse(raw: &str, field: &str) -> Result<Self, FieldError> {
        let domain = raw.trim().to_ascii_lowercase();
        let Some(prefix) = domain.strip_suffix(Self::SUFFIX) else {
            return Err(FieldError::new(
                field,
                "invalid_domain",
                "must have the form <prefix>.onmicrosoft.com",
            ));
        };
        if prefix.is_empty() || prefix.len() > Self::MAX_PREFIX {
            return Err(FieldError::new(
                field,
                "invalid_domain",
                format!("the prefix must be 1 to {} characters", Self::MAX_PREFIX),
            ));
        }
        if !prefix.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(FieldError::new(
                field,
                "invalid_domain",
                "the prefix may contain only Latin letters and digits",
            ));
        }
        Ok(Self(domain))
    }

    /// Prefixes the portal never hands out (they would impersonate the provider or Microsoft).
    pub fn is_reserved(&self) -> bool {
        const RESERVED: &[&str] = &[
            "admin",
            "administrator",
            "microsoft",
            "onmicrosoft",
            "office",
            "outlook",
            "azure",
            "support",
            "security",
            "root",
            "www",
            "mail",
            "test",
            "example",
            "partner",
            "portal",
        ];
        RESERVED.contains(&self.prefix())
    }

    pub fn prefix(&self) -> &str {
        self.0.strip_suffix(Self::SUFFIX).unwrap_or(&self.0)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::TenantDomain;

    #[test]
    fn prefix_is_latin_letters_and_digits() {
        assert_eq!(
            TenantDomain::parse("Contoso42.onmicrosoft.com", "d").unwrap().as_str(),
            "contoso42.onmicrosoft.com"
        );
        for bad in [
            "contoso.com",
            ".onmicrosoft.com",
            "con-toso.onmicrosoft.com",
            "côntoso.onmicrosoft.com",
            "a.b.onmicrosoft.com",
        ] {
            assert_eq!(
                TenantDomain::parse(bad, "primary_domain").unwrap_err().field,
                "primary_domain",
                "{bad}"
            );
        }
        assert!(TenantDomain::parse(&format!("{}.onmicrosoft.com", "a".repeat(28)), "d").is_err());
        assert!(TenantDomain::parse("Microsoft.onmicrosoft.com", "d")
            .unwrap()
            .is_reserved());
        assert!(!TenantDomain::parse("contoso.onmicrosoft.com", "d")
            .unwrap()
            .is_reserved());
    }
}

/// Fuzz target (`bench/fuzz.sh` runs it with `PROPTEST_CASES` large): any
/// input parses or is refused, never panics, and what parses keeps its promises.
#[cfg(test)]
mod fuzz {
    use super::TenantDomain;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn tenant_domains(raw in "\\PC{0,60}|[A-Za-z0-9 ._-]{0,30}\\.(onmicrosoft\\.com|ONMICROSOFT\\.COM)") {
            if let Ok(d) = TenantDomain::parse(&raw, "domain") {
                let prefix = d.prefix();
                prop_assert!(d.as_str().ends_with(TenantDomain::SUFFIX));
                prop_assert!((1..=TenantDomain::MAX_PREFIX).contains(&prefix.len()));
                prop_assert!(prefix.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
                prop_assert_eq!(TenantDomain::parse(d.as_str(), "domain").ok(), Some(d.clone()));
            }
        }
    }
}
