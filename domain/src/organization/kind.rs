use serde::{Deserialize, Serialize};

use crate::error::DomainError;

/// What an organisation is in the channel. Exactly one `provider` is the root.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    Provider,
    Distributor,
    Partner,
    Customer,
}

impl OrgKind {
    pub const ALL: [OrgKind; 4] = [Self::Provider, Self::Distributor, Self::Partner, Self::Customer];

    /// The allowed-parents rule: distributor under provider; partner under provider,
    /// distributor or partner; customer under distributor or partner; provider nowhere.
    pub fn allowed_parents(self) -> &'static [OrgKind] {
        match self {
            Self::Provider => &[],
            Self::Distributor => &[Self::Provider],
            Self::Partner => &[Self::Provider, Self::Distributor, Self::Partner],
            Self::Customer => &[Self::Distributor, Self::Partner],
        }
    }

    pub fn may_be_child_of(self, parent: OrgKind) -> bool {
        self.allowed_parents().contains(&parent)
    }

    /// Customers are tenants: leaves that never contain anything.
    pub fn may_have_children(self) -> bool {
        self != Self::Customer
    }

    /// Operators and API clients belong to channel organisations, not to tenants
    /// (a tenant's people are customer users).
    pub fn may_home_operators(self) -> bool {
        self != Self::Customer
    }

    /// Refuses a child of `self` kind under a parent of `parent` kind, naming `field`.
    pub fn check_parent(self, parent: OrgKind, field: &'static str) -> Result<(), DomainError> {
        if self.may_be_child_of(parent) {
            Ok(())
        } else {
            Err(DomainError::invalid(
                field,
                "parent_kind_not_allowed",
                format!(
                    "a {} cannot be placed under a {}; allowed parents: {}",
                    self.as_str(),
                    parent.as_str(),
                    if self.allowed_parents().is_empty() {
                        "none (it is the root)".to_string()
                    } else {
                        self.allowed_parents()
                            .iter()
                            .map(|k| k.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                ),
            ))
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Provider => "provider",
            Self::Distributor => "distributor",
            Self::Partner => "partner",
            Self::Customer => "customer",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::OrgKind::*;

    #[test]
    fn allowed_parents_follow_the_channel() {
        assert!(Distributor.may_be_child_of(Provider));
        assert!(!Distributor.may_be_child_of(Distributor));
        assert!(!Distributor.may_be_child_of(Partner));
        assert!(Partner.may_be_child_of(Provider));
        assert!(Partner.may_be_child_of(Distributor));
        assert!(Partner.may_be_child_of(Partner));
        assert!(!Partner.may_be_child_of(Customer));
        assert!(Customer.may_be_child_of(Distributor));
        assert!(Customer.may_be_child_of(Partner));
        assert!(!Customer.may_be_child_of(Provider));
        assert!(!Customer.may_be_child_of(Customer));
        for k in super::OrgKind::ALL {
            assert!(!Provider.may_be_child_of(k));
        }
    }

    #[test]
    fn wrong_parent_names_the_field() {
        let err = Customer.check_parent(Provider, "parent_id").unwrap_err();
        match err {
            crate::DomainError::Invalid(f) => assert_eq!(f[0].field, "parent_id"),
            other => panic!("unexpected {other:?}"),
        }
    }
}
