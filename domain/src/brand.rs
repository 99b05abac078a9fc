//! An organisation's brand: what its sign-in page and everyone below it see.
//! The parsers here make every stored brand valid: `#RRGGBB` colours, a
//! lowercase host name as portal domain, an `https` support URL.

use crate::email::EmailAddress;
use crate::error::FieldError;

/// A colour as `#RRGGBB`, stored with uppercase hex digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HexColor(String);

impl HexColor {
    pub fn parse(raw: &str, field: &str) -> Result<Self, FieldError> {
        let hex = raw.trim().strip_prefix('#').unwrap_or_default();
        if hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(Self(format!("#{}", hex.to_ascii_uppercase())))
        } else {
            Err(FieldError::new(
                field,
                "invalid_color",
                "a colour is `#RRGGBB` (e.g. #1F4E79)",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The host name a partner's sign-in page is served on: lowercase labels of
/// `a-z`, `0-9` and inner `-`, at least two of them, at most 253 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalDomain(String);

impl PortalDomain {
    pub const MAX_CHARS: usize = 253;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let host = raw.trim().to_ascii_lowercase();
        let label_ok = |l: &str| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        };
        let labels: Vec<&str> = host.split('.').collect();
        let top_is_alpha = labels.last().is_some_and(|l| l.bytes().all(|b| b.is_ascii_lowercase()));
        if host.len() <= Self::MAX_CHARS && labels.len() >= 2 && labels.iter().all(|l| label_ok(l)) && top_is_alpha {
            Ok(Self(host))
        } else {
            Err(FieldError::new(
                "portal_domain",
                "invalid_host",
                "a host name such as portal.fabrikam.example (letters, digits, `-`, at least two labels)",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An absolute `https` URL without credentials or fragment, at most 2,000 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpsUrl(String);

impl HttpsUrl {
    pub const MAX_CHARS: usize = 2000;

    pub fn parse(raw: &str, field: &str) -> Result<Self, FieldError> {
        let invalid = |message: &str| FieldError::new(field, "invalid_url", message);
        let raw = raw.trim();
        if raw.len() > Self::MAX_CHARS {
            return Err(invalid("a URL has at most 2,000 characters"));
        }
        let url = url::Url::parse(raw).map_err(|_| invalid("an absolute https URL"))?;
        if url.scheme() != "https" || url.host_str().is_none() {
            return Err(invalid("the URL must use https"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(invalid("the URL must not carry credentials"));
        }
        if url.fragment().is_some() {
            return Err(invalid("the URL must not have a fragment"));
        }
        Ok(Self(url.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A brand as an admin sets it; only the display name is required.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrandInput {
    pub display_name: String,
    pub primary_color: Option<HexColor>,
    pub accent_color: Option<HexColor>,
    pub support_email: Option<EmailAddress>,
    pub support_url: Option<HttpsUrl>,
    pub portal_domain: Option<PortalDomain>,
}

/// The raw fields of a brand, as the client sent them.
#[derive(Debug, Clone, Default)]
pub struct RawBrand<'a> {
    pub display_name: &'a str,
    pub primary_color: Option<&'a str>,
    pub accent_color: Option<&'a str>,
    pub support_email: Option<&'a str>,
    pub support_url: Option<&'a str>,
    pub portal_domain: Option<&'a str>,
}

impl BrandInput {
    /// Parses every field, reporting all bad ones at once.
    pub fn parse(raw: &RawBrand<'_>) -> Result<Self, crate::DomainError> {
        let (display_name, primary_color, accent_color, support_email, support_url, portal_domain) =
            crate::parse_all((
                crate::DisplayName::parse(raw.display_name).map_err(|e| e.at("display_name")),
                raw.primary_color
                    .map(|c| HexColor::parse(c, "primary_color"))
                    .transpose(),
                raw.accent_color.map(|c| HexColor::parse(c, "accent_color")).transpose(),
                raw.support_email
                    .map(|e| EmailAddress::parse(e, "support_email"))
                    .transpose(),
                raw.support_url.map(|u| HttpsUrl::parse(u, "support_url")).transpose(),
                raw.portal_domain.map(PortalDomain::parse).transpose(),
            ))?;
        Ok(Self {
            display_name: display_name.into_inner(),
            primary_color,
            accent_color,
            support_email,
            support_url,
            portal_domain,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_are_six_hex_digits() {
        assert_eq!(HexColor::parse("#1f4e79", "c").unwrap().as_str(), "#1F4E79");
        for bad in ["1F4E79", "#1F4E7", "#1F4E79A", "#GGGGGG", "red", ""] {
            assert_eq!(
                HexColor::parse(bad, "primary_color").unwrap_err().field,
                "primary_color",
                "{bad}"
            );
        }
    }

    #[test]
    fn portal_domains_are_lowercase_host_names() {
        assert_eq!(
            PortalDomain::parse("Portal.Fabrikam.example").unwrap().as_str(),
            "portal.fabrikam.example"
        );
        assert!(PortalDomain::parse("a-b.example").is_ok());
        for bad in [
            "localhost",
            "-a.example",
            "a-.example",
            "a..example",
            "a_b.example",
            "https://a.example",
            "a.example/x",
            "10.0.0.1",
            "",
        ] {
            assert!(PortalDomain::parse(bad).is_err(), "{bad}");
        }
        assert!(PortalDomain::parse(&format!("{}.example", "a".repeat(64))).is_err());
    }

    #[test]
    fn https_urls_only() {
        assert!(HttpsUrl::parse("https://help.fabrikam.example/support", "u").is_ok());
        for bad in [
            "http://a.example",
            "https://user:pw@a.example",
            "https://a.example/#x",
            "javascript:alert(1)",
            "/relative",
        ] {
            assert!(HttpsUrl::parse(bad, "support_url").is_err(), "{bad}");
        }
    }

    #[test]
    fn a_brand_reports_every_bad_field() {
        let raw = RawBrand {
            display_name: " ",
            primary_color: Some("blue"),
            portal_domain: Some("x"),
            ..RawBrand::default()
        };
        let Err(crate::DomainError::Invalid(errors)) = BrandInput::parse(&raw) else {
            panic!("invalid");
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["display_name", "primary_color", "portal_domain"]);
        let ok = BrandInput::parse(&RawBrand {
            display_name: "Fabrikam",
            ..RawBrand::default()
        })
        .unwrap();
        assert_eq!(ok.display_name, "Fabrikam");
    }
}
