//! API clients: credentials of PSA integrations, and when they may act.

use chrono::{DateTime, Utc};

use crate::error::DomainError;
use crate::error_code::ErrorCode;
use crate::organization::OrgStatus;

/// `active` until revoked; revoking is final.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiClientStatus {
    Active,
    Revoked,
}

impl ApiClientStatus {
    pub const ALL: [ApiClientStatus; 2] = [Self::Active, Self::Revoked];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Revoked => "revoked",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Revoked clients, and clients of a suspended or archived organisation, cannot act.
    pub fn may_act(self, home: OrgStatus) -> bool {
        self == Self::Active && home.is_operating()
    }

    /// A revoked client cannot be given a new secret.
    pub fn check_rotatable(self) -> Result<(), DomainError> {
        self.check_active("a revoked client cannot get a new secret")
    }

    /// A revoked client cannot be renamed or given other roles: revoking is final.
    pub fn check_changeable(self) -> Result<(), DomainError> {
        self.check_active("a revoked client cannot be changed")
    }

    fn check_active(self, message: &str) -> Result<(), DomainError> {
        match self {
            Self::Active => Ok(()),
            Self::Revoked => Err(DomainError::conflict(ErrorCode::ClientRevoked, None, message)),
        }
    }
}

/// A token issued before the client's secret was last rotated no longer
/// speaks for it, as a password change ends a person's sessions. Tokens carry
/// `iat` in whole seconds, so one issued in the second of the rotation still
/// counts as issued after it (a client that rotates and at once asks for a new
/// token must get a working one).
pub fn issued_before_rotation(issued_at: DateTime<Utc>, rotated_at: Option<DateTime<Utc>>) -> bool {
    rotated_at.is_some_and(|rotated| issued_at.timestamp() < rotated.timestamp())
}

#[cfg(test)]
mod tests {
    use super::ApiClientStatus::*;
    use crate::OrgStatus;

    #[test]
    fn revoked_clients_neither_act_nor_rotate() {
        assert!(Active.may_act(OrgStatus::Active));
        assert!(!Active.may_act(OrgStatus::Suspended));
        assert!(!Revoked.may_act(OrgStatus::Active));
        assert!(Active.check_rotatable().is_ok());
        assert!(Revoked.check_rotatable().is_err());
        assert!(Active.check_changeable().is_ok());
        assert!(Revoked.check_changeable().is_err());
    }

    #[test]
    fn rotation_ends_earlier_tokens() {
        use super::issued_before_rotation;
        use chrono::{TimeZone, Utc};
        let rotated = Utc.with_ymd_and_hms(2026, 12, 3, 10, 0, 0).unwrap() + chrono::Duration::milliseconds(400);
        let second = |s| Utc.with_ymd_and_hms(2026, 12, 3, 10, 0, s).unwrap();
        assert!(!issued_before_rotation(second(0), None));
        assert!(issued_before_rotation(
            Utc.with_ymd_and_hms(2026, 12, 3, 9, 59, 59).unwrap(),
            Some(rotated)
        ));
        // `iat` has whole seconds: the rotation's own second still counts.
        assert!(!issued_before_rotation(second(0), Some(rotated)));
        assert!(!issued_before_rotation(second(1), Some(rotated)));
    }
}
