//! API clients: credentials of PSA integrations, and when they may act.

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
        match self {
            Self::Active => Ok(()),
            Self::Revoked => Err(DomainError::conflict(
                ErrorCode::ClientRevoked,
                None,
                "a revoked client cannot get a new secret",
            )),
        }
    }
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
    }
}
