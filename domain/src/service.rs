//! The service catalogue and service instances: a catalogue service (its key,
//! launch URL and regions) provisioned for a customer in one of its regions,
//! and launched by the partners above that customer.

use crate::error::{DomainError, FieldError};
use crate::error_code::ErrorCode;
use crate::organization::OrgStatus;

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

/// The regions a catalogue service is offered in: at least one, each a slug,
/// kept sorted and without repeats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Regions(Vec<Slug>);

impl Regions {
    pub fn parse<S: AsRef<str>>(raw: &[S]) -> Result<Self, FieldError> {
        let mut regions = raw
            .iter()
            .map(|r| Slug::parse(r.as_ref(), "regions"))
            .collect::<Result<Vec<_>, _>>()?;
        regions.sort_by(|a, b| a.0.cmp(&b.0));
        regions.dedup();
        if regions.is_empty() {
            return Err(FieldError::new(
                "regions",
                "required",
                "at least one region is required",
            ));
        }
        Ok(Self(regions))
    }

    /// Reads the stored form written by [`Regions::to_storage`].
    pub fn from_storage(s: &str) -> Self {
        Self(
            s.split(',')
                .filter(|r| !r.is_empty())
                .map(|r| Slug(r.to_string()))
                .collect(),
        )
    }

    pub fn to_storage(&self) -> String {
        self.iter().collect::<Vec<_>>().join(",")
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(Slug::as_str)
    }

    /// A new instance names one of the service's regions.
    pub fn check_offered(&self, region: &Slug) -> Result<(), FieldError> {
        if self.0.contains(region) {
            Ok(())
        } else {
            Err(FieldError::new(
                "region",
                "not_offered",
                format!("the service is offered in: {}", self.to_storage().replace(',', ", ")),
            ))
        }
    }
}

/// A launch opens the customer's service as the customer, so only a customer
/// that is operating (active or pending) can be launched into.
pub fn check_launchable(customer: OrgStatus) -> Result<(), DomainError> {
    if customer.is_operating() {
        Ok(())
    } else {
        Err(DomainError::conflict(
            ErrorCode::CustomerInactive,
            None,
            format!("the customer is {}", customer.as_str()),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_are_a_sorted_non_empty_set_of_slugs() {
        let r = Regions::parse(&["us-east", "eu-west", "us-east"]).unwrap();
        assert_eq!(r.to_storage(), "eu-west,us-east");
        assert_eq!(Regions::from_storage("eu-west,us-east"), r);
        assert_eq!(Regions::parse::<&str>(&[]).unwrap_err().code, "required");
        assert_eq!(Regions::parse(&["EU"]).unwrap_err().field, "regions");
        assert!(r.check_offered(&Slug::parse("eu-west", "region").unwrap()).is_ok());
        let e = r
            .check_offered(&Slug::parse("ap-south", "region").unwrap())
            .unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("region", "not_offered"));
    }

    #[test]
    fn only_operating_customers_are_launched_into() {
        assert!(check_launchable(OrgStatus::Active).is_ok());
        assert!(check_launchable(OrgStatus::Pending).is_ok());
        for s in [OrgStatus::Suspended, OrgStatus::Archived] {
            let Err(DomainError::Conflict { code, .. }) = check_launchable(s) else {
                panic!("{s:?} refused");
            };
            assert_eq!(code, ErrorCode::CustomerInactive);
        }
    }

    #[test]
    fn slugs() {
        assert!(Slug::parse("call-manager", "service").is_ok());
        assert!(Slug::parse("eu-west-1", "region").is_ok());
        assert_eq!(Slug::parse("Call Manager", "service").unwrap_err().field, "service");
        assert!(Slug::parse("-x", "region").is_err());
        assert!(Slug::parse("", "region").is_err());
    }
}
