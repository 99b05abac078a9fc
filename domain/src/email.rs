//! E-mail addresses. Operators sign in with work or school accounts, so for
//! them consumer mailbox providers are refused.

use validator::ValidateEmail;

use crate::error::FieldError;

/// A syntactically valid address with a fully qualified domain, stored lowercased
/// (customer users may use any mailbox provider).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub const MAX_CHARS: usize = 254;

    pub fn parse(raw: &str, field: &str) -> Result<Self, FieldError> {
        let email = raw.trim().to_lowercase();
        if email.len() > Self::MAX_CHARS || !email.validate_email() {
            return Err(FieldError::new(
                field,
                "invalid_email",
                "must be a valid e-mail address",
            ));
        }
        let domain = email.rsplit_once('@').map(|(_, d)| d).unwrap_or_default();
        if !domain.contains('.') {
            return Err(FieldError::new(
                field,
                "invalid_email",
                "the e-mail domain must be fully qualified",
            ));
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }

    fn domain(&self) -> &str {
        self.0.rsplit_once('@').map(|(_, d)| d).unwrap_or_default()
    }
}

/// A syntactically valid address on a non-consumer domain, stored lowercased.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WorkEmail(String);

/// Consumer mail brands: refused as `<brand>.<public suffix>` (gmail.com, hotmail.co.uk, …).
const CONSUMER_BRANDS: &[&str] = &[
    "gmail",
    "googlemail",
    "outlook",
    "hotmail",
    "live",
    "msn",
    "yahoo",
    "ymail",
    "rocketmail",
    "icloud",
    "me",
    "mac",
    "aol",
    "gmx",
    "web",
    "mail",
    "yandex",
    "proton",
    "protonmail",
    "pm",
    "zoho",
    "qq",
    "163",
    "126",
    "tutanota",
    "tuta",
    "mailbox",
    "seznam",
    "libero",
    "orange",
    "free",
    "laposte",
    "t-online",
    "btinternet",
    "comcast",
    "verizon",
    "att",
    "sbcglobal",
    "rediffmail",
    "naver",
    "daum",
    "hanmail",
];

impl WorkEmail {
    /// Parses an address for the field `field`.
    pub fn parse(raw: &str, field: &str) -> Result<Self, FieldError> {
        let email = EmailAddress::parse(raw, field)?;
        let domain = email.domain();
        if is_consumer_domain(domain) {
            return Err(FieldError::new(
                field,
                "consumer_email",
                format!("`{domain}` is a consumer mail domain; use a work or school address"),
            ));
        }
        Ok(Self(email.into_inner()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// `brand.tld`, `brand.co.cc`, `brand.com.cc` (and the like) for a consumer brand.
fn is_consumer_domain(domain: &str) -> bool {
    let Some((brand, suffix)) = domain.split_once('.') else {
        return false;
    };
    if !CONSUMER_BRANDS.contains(&brand) {
        return false;
    }
    let parts: Vec<&str> = suffix.split('.').collect();
    match parts.as_slice() {
        [tld] => tld.len() >= 2 && tld.len() <= 3 || *tld == "info",
        [second, cc] => ["co", "com", "net", "org"].contains(second) && cc.len() == 2,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_addresses_pass_and_are_lowercased() {
        assert_eq!(
            WorkEmail::parse(" Alice@Contoso.COM ", "email").unwrap().as_str(),
            "alice@contoso.com"
        );
        assert!(WorkEmail::parse("it@fabrikam.co.uk", "email").is_ok());
        assert!(
            WorkEmail::parse("ops@mail.contoso.com", "email").is_ok(),
            "a company's mail host is fine"
        );
    }

    #[test]
    fn consumer_domains_are_refused() {
        for e in [
            "a@gmail.com",
            "a@outlook.com",
            "a@hotmail.com",
            "a@hotmail.co.uk",
            "a@yahoo.fr",
            "a@icloud.com",
        ] {
            assert_eq!(WorkEmail::parse(e, "email").unwrap_err().code, "consumer_email", "{e}");
        }
    }

    #[test]
    fn malformed_addresses_are_refused_naming_the_field() {
        for e in [
            "",
            "alice",
            "alice@",
            "@contoso.com",
            "alice@localhost",
            "a b@contoso.com",
        ] {
            let err = WorkEmail::parse(e, "contact_email").unwrap_err();
            assert_eq!(err.field, "contact_email");
            assert_eq!(err.code, "invalid_email", "{e}");
        }
    }
}

/// Fuzz target (`bench/fuzz.sh`): any input parses or is refused, never
/// panics; a parsed address is lowercase, bounded, qualified and re-parses.
#[cfg(test)]
mod fuzz {
    use super::{EmailAddress, WorkEmail};
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn work_emails(raw in "\\PC{0,300}|[a-zA-Z0-9.+_-]{0,20}@[a-zA-Z0-9.-]{0,30}|[^@]{0,5}@\\PC{0,10}") {
            if let Ok(e) = WorkEmail::parse(&raw, "email") {
                let s = e.as_str();
                prop_assert_eq!(s.to_lowercase(), s);
                prop_assert!(s.len() <= EmailAddress::MAX_CHARS);
                prop_assert!(s.rsplit_once('@').is_some_and(|(_, d)| d.contains('.')));
                prop_assert_eq!(WorkEmail::parse(s, "email").ok(), Some(e.clone()));
            }
        }
    }
}
