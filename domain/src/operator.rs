//! Operators and API clients: their statuses, and the rules that keep the
//! portal administrable.

use crate::error_code::ErrorCode;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::DomainError;
use crate::organization::{OrgKind, OrgStatus};
use crate::role::{Role, RoleSet};

/// `invited` → `active` (first sign-in) → `disabled`, and back by enabling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OperatorStatus {
    Invited,
    Active,
    Disabled,
}

impl OperatorStatus {
    pub const ALL: [OperatorStatus; 3] = [Self::Invited, Self::Active, Self::Disabled];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invited => "invited",
            Self::Active => "active",
            Self::Disabled => "disabled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Enabling restores `active` for someone who has signed in, `invited` otherwise.
    pub fn enabled(signed_in_before: bool) -> Self {
        if signed_in_before {
            Self::Active
        } else {
            Self::Invited
        }
    }

    /// The status after enabling (`enable`) or disabling; `None` when it is
    /// already so (the request changes nothing and is not audited).
    pub fn toggled(self, enable: bool, signed_in_before: bool) -> Option<Self> {
        match (enable, self == Self::Disabled) {
            (true, true) => Some(Self::enabled(signed_in_before)),
            (false, false) => Some(Self::Disabled),
            _ => None,
        }
    }

    /// Disabled operators, and operators of a suspended or archived organisation, cannot act.
    pub fn may_act(self, home: OrgStatus) -> bool {
        self != Self::Disabled && home.is_operating()
    }
}

/// What the admin rules need to know about an operator being changed.
#[derive(Debug, Clone)]
pub struct AdminChange<'a> {
    /// Who asks for the change.
    pub actor: Uuid,
    /// Whose roles or status change.
    pub target: Uuid,
    pub target_home_kind: OrgKind,
    pub target_status: OperatorStatus,
    pub target_roles: &'a RoleSet,
    /// The roles and status the target would have afterwards.
    pub new_roles: &'a RoleSet,
    pub new_status: OperatorStatus,
    /// Other operators of the provider who are active admins.
    pub other_provider_admins: i64,
}

fn counts_as_admin(status: OperatorStatus, roles: &RoleSet) -> bool {
    status == OperatorStatus::Active && roles.contains(Role::Admin)
}

/// The rules: an operator cannot disable or demote itself, and the provider
/// always keeps at least one active admin.
pub fn check_admin_change(change: &AdminChange<'_>) -> Result<(), DomainError> {
    let was_admin = counts_as_admin(change.target_status, change.target_roles);
    let stays_admin = counts_as_admin(change.new_status, change.new_roles);
    if change.actor == change.target {
        if change.new_status == OperatorStatus::Disabled {
            return Err(DomainError::conflict(
                ErrorCode::CannotDisableSelf,
                None,
                "you cannot disable yourself",
            ));
        }
        if change.target_roles.contains(Role::Admin) && !change.new_roles.contains(Role::Admin) {
            return Err(DomainError::conflict(
                ErrorCode::CannotDemoteSelf,
                Some("roles"),
                "you cannot remove your own admin role",
            ));
        }
    }
    if change.target_home_kind == OrgKind::Provider && was_admin && !stays_admin && change.other_provider_admins == 0 {
        return Err(DomainError::conflict(
            ErrorCode::LastProviderAdmin,
            None,
            "the provider must keep at least one admin; make someone else admin first",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change<'a>(
        actor: u128,
        roles: &'a RoleSet,
        new_roles: &'a RoleSet,
        new_status: OperatorStatus,
        others: i64,
    ) -> AdminChange<'a> {
        AdminChange {
            actor: Uuid::from_u128(actor),
            target: Uuid::from_u128(2),
            target_home_kind: OrgKind::Provider,
            target_status: OperatorStatus::Active,
            target_roles: roles,
            new_roles,
            new_status,
            other_provider_admins: others,
        }
    }

    #[test]
    fn nobody_disables_or_demotes_themselves() {
        let admin = RoleSet::new([Role::Admin]);
        let viewer = RoleSet::new([Role::Viewer]);
        let err = check_admin_change(&change(2, &admin, &admin, OperatorStatus::Disabled, 5)).unwrap_err();
        assert!(matches!(
            err,
            DomainError::Conflict {
                code: ErrorCode::CannotDisableSelf,
                ..
            }
        ));
        let err = check_admin_change(&change(2, &admin, &viewer, OperatorStatus::Active, 5)).unwrap_err();
        assert!(matches!(
            err,
            DomainError::Conflict {
                code: ErrorCode::CannotDemoteSelf,
                ..
            }
        ));
        assert!(check_admin_change(&change(1, &admin, &viewer, OperatorStatus::Active, 5)).is_ok());
    }

    #[test]
    fn the_provider_keeps_an_admin() {
        let admin = RoleSet::new([Role::Admin]);
        let viewer = RoleSet::new([Role::Viewer]);
        let err = check_admin_change(&change(1, &admin, &viewer, OperatorStatus::Active, 0)).unwrap_err();
        assert!(matches!(
            err,
            DomainError::Conflict {
                code: ErrorCode::LastProviderAdmin,
                ..
            }
        ));
        let err = check_admin_change(&change(1, &admin, &admin, OperatorStatus::Disabled, 0)).unwrap_err();
        assert!(matches!(
            err,
            DomainError::Conflict {
                code: ErrorCode::LastProviderAdmin,
                ..
            }
        ));
        assert!(check_admin_change(&change(1, &admin, &viewer, OperatorStatus::Active, 1)).is_ok());
        let mut partner = change(1, &admin, &viewer, OperatorStatus::Active, 0);
        partner.target_home_kind = OrgKind::Partner;
        assert!(
            check_admin_change(&partner).is_ok(),
            "only the provider's admins are counted"
        );
    }

    #[test]
    fn enabling_and_disabling() {
        use OperatorStatus::*;
        assert_eq!(Disabled.toggled(true, true), Some(Active));
        assert_eq!(Disabled.toggled(true, false), Some(Invited));
        assert_eq!(Active.toggled(true, true), None);
        assert_eq!(Invited.toggled(false, false), Some(Disabled));
        assert_eq!(Disabled.toggled(false, true), None);
        assert!(Invited.may_act(OrgStatus::Pending));
        assert!(!Active.may_act(OrgStatus::Archived));
        assert!(!Disabled.may_act(OrgStatus::Active));
    }
}
