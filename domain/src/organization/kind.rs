use serde::{Deserialize, Serialize};

use crate::error::{DomainError, FieldError};
use crate::error_code::ErrorCode;
use crate::organization::OrgStatus;

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

    /// The create rule: the parent must be an allowed parent kind (422 on
    /// `parent_id`) and must not be archived (409).
    pub fn check_new_child(self, parent_kind: OrgKind, parent_status: OrgStatus) -> Result<(), DomainError> {
        self.check_parent(parent_kind, "parent_id")?;
        if !parent_status.accepts_children() {
            return Err(DomainError::conflict(
                ErrorCode::ParentArchived,
                Some("parent_id"),
                "the parent is archived",
            ));
        }
        Ok(())
    }

    /// Refuses operators homed in a customer (its people are customer users).
    pub fn check_homes_operators(self) -> Result<(), NotAHome> {
        self.refuse_customer(
            ErrorCode::CustomerHasNoOperators,
            "customers have customer users, not operators",
        )
    }

    /// Refuses API clients homed in a customer.
    pub fn check_homes_api_clients(self) -> Result<(), NotAHome> {
        self.refuse_customer(
            ErrorCode::CustomerHasNoApiClients,
            "API clients belong to channel organisations, not to customers",
        )
    }

    /// Refuses a brand for a customer: it shows its partner's.
    pub fn check_has_brand(self) -> Result<(), NotAHome> {
        self.refuse_customer(
            ErrorCode::CustomerHasNoBrand,
            "customers show their partner's brand and have none of their own",
        )
    }

    fn refuse_customer(self, code: ErrorCode, message: &'static str) -> Result<(), NotAHome> {
        if self.may_home_operators() {
            Ok(())
        } else {
            Err(NotAHome { code, message })
        }
    }

    /// The update rule on which fields apply: customer fields (`sent`) only to
    /// customers, the partner programme only to channel organisations.
    pub fn check_patch(
        self,
        customer_fields_sent: &[&'static str],
        programme_open_sent: bool,
    ) -> Result<(), DomainError> {
        if self != Self::Customer {
            let refused: Vec<FieldError> = customer_fields_sent
                .iter()
                .map(|f| FieldError::new(*f, "customer_only", format!("{f} applies to customers only")))
                .collect();
            if !refused.is_empty() {
                return Err(DomainError::Invalid(refused));
            }
        } else if programme_open_sent {
            return Err(DomainError::invalid(
                "programme_open",
                "not_for_customers",
                "customers have no partner programme",
            ));
        }
        Ok(())
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

/// Refused: a customer cannot home operators or API clients. A conflict on a
/// request, or a field error on one row of an import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct NotAHome {
    pub code: ErrorCode,
    pub message: &'static str,
}

impl NotAHome {
    /// The refusal as an error of one input field (an import row's cell).
    pub fn at(self, field: &str) -> FieldError {
        FieldError::new(field, self.code.as_str(), self.message)
    }
}

impl From<NotAHome> for DomainError {
    fn from(e: NotAHome) -> Self {
        DomainError::conflict(e.code, None, e.message)
    }
}

#[cfg(test)]
mod tests {
    use super::OrgKind::*;
    use crate::{DomainError, ErrorCode, OrgStatus};

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

    #[test]
    fn new_children_need_an_allowed_live_parent() {
        assert!(Customer.check_new_child(Partner, OrgStatus::Active).is_ok());
        assert!(Customer.check_new_child(Partner, OrgStatus::Suspended).is_ok());
        assert!(matches!(
            Customer.check_new_child(Provider, OrgStatus::Active),
            Err(DomainError::Invalid(_))
        ));
        assert!(matches!(
            Customer.check_new_child(Partner, OrgStatus::Archived),
            Err(DomainError::Conflict {
                code: ErrorCode::ParentArchived,
                ..
            })
        ));
    }

    #[test]
    fn customers_home_neither_operators_nor_api_clients() {
        assert!(Partner.check_homes_operators().is_ok());
        assert!(Provider.check_homes_api_clients().is_ok());
        assert_eq!(
            Customer.check_homes_operators().unwrap_err().code,
            ErrorCode::CustomerHasNoOperators
        );
        let refused = Customer.check_homes_api_clients().unwrap_err();
        assert_eq!(refused.code, ErrorCode::CustomerHasNoApiClients);
        assert_eq!(refused.at("organization").code, "customer_has_no_api_clients");
    }

    #[test]
    fn customers_have_no_brand() {
        assert!(Partner.check_has_brand().is_ok());
        assert!(Provider.check_has_brand().is_ok());
        assert_eq!(
            Customer.check_has_brand().unwrap_err().code,
            ErrorCode::CustomerHasNoBrand
        );
    }

    #[test]
    fn patches_touch_only_fields_of_the_kind() {
        assert!(Customer.check_patch(&["country"], false).is_ok());
        assert!(Partner.check_patch(&[], true).is_ok());
        match Partner.check_patch(&["tenant_id", "country"], false) {
            Err(DomainError::Invalid(f)) => assert_eq!(f.len(), 2),
            other => panic!("unexpected {other:?}"),
        }
        assert!(Customer.check_patch(&[], true).is_err());
    }
}
