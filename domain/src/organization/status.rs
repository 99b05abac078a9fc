use crate::error_code::ErrorCode;
use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::organization::OrgKind;

/// Lifecycle of an organisation. Nothing is hard-deleted: `archived` is the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrgStatus {
    Pending,
    Active,
    Suspended,
    Archived,
}

/// The status changes callers can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusChange {
    /// Onboarding completed (activation link accepted).
    Activate,
    Suspend,
    Reactivate,
    Archive,
}

impl OrgStatus {
    pub const ALL: [OrgStatus; 4] = [Self::Pending, Self::Active, Self::Suspended, Self::Archived];

    /// The transition table: pending → active; active ⇄ suspended; anything but
    /// archived → archived. Returns the new status or a 409 naming both ends.
    pub fn apply(self, change: StatusChange) -> Result<OrgStatus, DomainError> {
        use OrgStatus::*;
        use StatusChange::*;
        let next = match (self, change) {
            (Pending, Activate) => Some(Active),
            (Active, Suspend) => Some(Suspended),
            (Suspended, Reactivate) => Some(Active),
            (Pending | Active | Suspended, Archive) => Some(Archived),
            _ => None,
        };
        next.ok_or_else(|| {
            DomainError::conflict(
                ErrorCode::InvalidStatusTransition,
                Some("status"),
                format!("cannot {} an organisation that is {}", change.verb(), self.as_str()),
            )
        })
    }

    /// Archived organisations accept no new children and no moves into them.
    pub fn accepts_children(self) -> bool {
        self != Self::Archived
    }

    /// Whether its people and credentials may act: not while it is suspended or archived.
    pub fn is_operating(self) -> bool {
        matches!(self, Self::Active | Self::Pending)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Active => "active",
            Self::Suspended => "suspended",
            Self::Archived => "archived",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The status-change rule: the provider root is always active; otherwise the
/// transition table decides, and an organisation with live (not archived)
/// children cannot be archived. Returns the new status.
pub fn check_status_change(
    kind: OrgKind,
    current: OrgStatus,
    change: StatusChange,
    has_live_children: bool,
) -> Result<OrgStatus, DomainError> {
    if kind == OrgKind::Provider {
        return Err(DomainError::conflict(
            ErrorCode::RootStatusFixed,
            None,
            "the provider root is always active",
        ));
    }
    let next = current.apply(change)?;
    if change == StatusChange::Archive && has_live_children {
        return Err(DomainError::conflict(
            ErrorCode::HasChildren,
            None,
            "archive or move the organisation's children first",
        ));
    }
    Ok(next)
}

impl StatusChange {
    pub fn verb(self) -> &'static str {
        match self {
            Self::Activate => "activate",
            Self::Suspend => "suspend",
            Self::Reactivate => "reactivate",
            Self::Archive => "archive",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::OrgStatus::*;
    use super::StatusChange::*;

    #[test]
    fn transitions_follow_the_table() {
        assert_eq!(Pending.apply(Activate), Ok(Active));
        assert_eq!(Active.apply(Suspend), Ok(Suspended));
        assert_eq!(Suspended.apply(Reactivate), Ok(Active));
        assert_eq!(Suspended.apply(Archive), Ok(Archived));
        assert_eq!(Pending.apply(Archive), Ok(Archived));
        assert!(Active.apply(Reactivate).is_err());
        assert!(Pending.apply(Suspend).is_err());
        assert!(Active.apply(Activate).is_err());
        for change in [Activate, Suspend, Reactivate, Archive] {
            assert!(Archived.apply(change).is_err(), "archived is terminal");
        }
    }

    fn code(r: Result<super::OrgStatus, crate::DomainError>) -> Option<crate::ErrorCode> {
        match r {
            Err(crate::DomainError::Conflict { code, .. }) => Some(code),
            _ => None,
        }
    }

    #[test]
    fn status_changes_of_the_root_and_of_parents() {
        use super::check_status_change as check;
        use crate::{ErrorCode, OrgKind};
        assert_eq!(
            code(check(OrgKind::Provider, Active, Suspend, false)),
            Some(ErrorCode::RootStatusFixed)
        );
        assert_eq!(
            code(check(OrgKind::Partner, Active, Archive, true)),
            Some(ErrorCode::HasChildren)
        );
        assert_eq!(check(OrgKind::Partner, Active, Archive, false), Ok(Archived));
        assert_eq!(check(OrgKind::Partner, Active, Suspend, true), Ok(Suspended));
        assert_eq!(
            code(check(OrgKind::Partner, Archived, Archive, true)),
            Some(ErrorCode::InvalidStatusTransition)
        );
    }

    #[test]
    fn only_active_and_pending_organisations_operate() {
        assert!(Active.is_operating() && Pending.is_operating());
        assert!(!Suspended.is_operating() && !Archived.is_operating());
    }
}
