use crate::error_code::ErrorCode;
use serde::{Deserialize, Serialize};

use crate::error::DomainError;

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
}
