//! Onboarding rules: activation links (who can get one, when one is usable, which
//! first admin accepting it creates) and partner-programme applications (when a
//! programme takes them, how they are decided, what their free text may hold).
//!
//! Errors: [`DomainError::Conflict`] (409) for a link asked for an organisation
//! that cannot be onboarded, or a decision on a decided application;
//! [`FieldError`] (422) for bad free text.

use crate::error_code::ErrorCode;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{DomainError, FieldError};
use crate::organization::{OrgKind, OrgStatus};

/// Activation links live a week unless configured otherwise.
pub const DEFAULT_ACTIVATION_TTL_HOURS: i64 = 7 * 24;

/// Who accepting an activation link becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirstAdmin {
    /// Partners and distributors: an operator with the `admin` role.
    Operator,
    /// Customers: a customer user who is master admin.
    CustomerUser,
}

impl FirstAdmin {
    pub fn for_kind(kind: OrgKind) -> Option<Self> {
        match kind {
            OrgKind::Distributor | OrgKind::Partner => Some(Self::Operator),
            OrgKind::Customer => Some(Self::CustomerUser),
            OrgKind::Provider => None,
        }
    }
}

/// An activation link can be sent for a `pending` partner, distributor or customer.
pub fn check_activation_target(kind: OrgKind, status: OrgStatus) -> Result<FirstAdmin, DomainError> {
    let first = FirstAdmin::for_kind(kind).ok_or_else(|| {
        DomainError::conflict(
            ErrorCode::NotOnboardable,
            None,
            "only partners, distributors and customers are onboarded by activation link",
        )
    })?;
    if status != OrgStatus::Pending {
        return Err(DomainError::conflict(
            ErrorCode::NotPending,
            None,
            format!(
                "the organisation is {}; only pending organisations get activation links",
                status.as_str()
            ),
        ));
    }
    Ok(first)
}

/// Where a link stands at a given moment. Only `Live` links can be read or accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    Live,
    Used,
    Revoked,
    Expired,
}

impl LinkState {
    /// Used and revoked win over expired (what happened first is what counts).
    pub fn at(
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        used_at: Option<DateTime<Utc>>,
        revoked_at: Option<DateTime<Utc>>,
    ) -> Self {
        if used_at.is_some() {
            Self::Used
        } else if revoked_at.is_some() {
            Self::Revoked
        } else if now >= expires_at {
            Self::Expired
        } else {
            Self::Live
        }
    }
}

/// When a link made at `now` with a lifetime of `ttl_hours` (at least one) expires.
pub fn link_expiry(now: DateTime<Utc>, ttl_hours: i64) -> DateTime<Utc> {
    now + Duration::hours(ttl_hours.max(1))
}

/// Lifecycle of a partner-programme application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    Pending,
    Approved,
    Rejected,
}

/// What an admin decides about an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
}

impl ApplicationStatus {
    pub const ALL: [ApplicationStatus; 3] = [Self::Pending, Self::Approved, Self::Rejected];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Only a pending application can be decided, and only once (409 otherwise).
    pub fn decide(self, decision: Decision) -> Result<ApplicationStatus, DomainError> {
        match (self, decision) {
            (Self::Pending, Decision::Approve) => Ok(Self::Approved),
            (Self::Pending, Decision::Reject) => Ok(Self::Rejected),
            (decided, _) => Err(DomainError::conflict(
                ErrorCode::ApplicationDecided,
                None,
                format!("the application was already {}", decided.as_str()),
            )),
        }
    }
}

/// A decision that lost the race against a concurrent one on the same application.
pub fn decided_meanwhile() -> DomainError {
    DomainError::conflict(
        ErrorCode::ApplicationDecided,
        None,
        "the application was decided meanwhile",
    )
}

/// Whether an organisation's programme takes applications now: its admins opened
/// it, and it is a channel organisation (customers have no programme) that is
/// neither suspended nor archived.
pub fn accepts_applications(kind: OrgKind, status: OrgStatus, programme_open: bool) -> bool {
    programme_open && status.is_operating() && kind != OrgKind::Customer
}

/// Free text of an application: up to 2,000 characters, possibly empty, lines
/// allowed, no other control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationMessage(String);

impl ApplicationMessage {
    pub const MAX_CHARS: usize = 2000;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        // Counted as sent (the documented bound), then trimmed.
        if raw.chars().count() > Self::MAX_CHARS {
            return Err(FieldError::new(
                "message",
                "too_long",
                format!("message must be at most {} characters", Self::MAX_CHARS),
            ));
        }
        let text = raw.trim();
        if text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
            return Err(FieldError::new(
                "message",
                "control_characters",
                "message must not contain control characters other than line breaks and tabs",
            ));
        }
        Ok(Self(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Why an application was rejected, told to the applicant: 1 to 1,000
/// characters, not blank, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectionReason(String);

impl RejectionReason {
    pub const MAX_CHARS: usize = 1000;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let text = raw.trim();
        if text.is_empty() {
            return Err(FieldError::new("reason", "required", "reason must not be empty"));
        }
        if raw.chars().count() > Self::MAX_CHARS {
            return Err(FieldError::new(
                "reason",
                "too_long",
                format!("reason must be at most {} characters", Self::MAX_CHARS),
            ));
        }
        if text.chars().any(char::is_control) {
            return Err(FieldError::new(
                "reason",
                "control_characters",
                "reason must not contain control characters",
            ));
        }
        Ok(Self(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
    }

    #[test]
    fn only_pending_partners_distributors_and_customers_get_links() {
        assert_eq!(
            check_activation_target(OrgKind::Partner, OrgStatus::Pending),
            Ok(FirstAdmin::Operator)
        );
        assert_eq!(
            check_activation_target(OrgKind::Distributor, OrgStatus::Pending),
            Ok(FirstAdmin::Operator)
        );
        assert_eq!(
            check_activation_target(OrgKind::Customer, OrgStatus::Pending),
            Ok(FirstAdmin::CustomerUser)
        );
        let code = |r: Result<FirstAdmin, DomainError>| match r {
            Err(DomainError::Conflict { code, .. }) => code,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            code(check_activation_target(OrgKind::Provider, OrgStatus::Active)),
            ErrorCode::NotOnboardable
        );
        for status in [OrgStatus::Active, OrgStatus::Suspended, OrgStatus::Archived] {
            assert_eq!(
                code(check_activation_target(OrgKind::Customer, status)),
                ErrorCode::NotPending
            );
        }
    }

    #[test]
    fn a_link_is_live_until_used_revoked_or_expired() {
        let expires = t(100);
        assert_eq!(LinkState::at(t(0), expires, None, None), LinkState::Live);
        assert_eq!(LinkState::at(t(99), expires, None, None), LinkState::Live);
        assert_eq!(LinkState::at(t(100), expires, None, None), LinkState::Expired);
        assert_eq!(LinkState::at(t(0), expires, Some(t(1)), None), LinkState::Used);
        assert_eq!(LinkState::at(t(0), expires, None, Some(t(1))), LinkState::Revoked);
        assert_eq!(LinkState::at(t(500), expires, Some(t(1)), None), LinkState::Used);
        assert_eq!(link_expiry(t(0), 168), t(168 * 3600));
        assert_eq!(link_expiry(t(0), 0), t(3600), "at least an hour");
    }

    #[test]
    fn applications_are_decided_once() {
        use ApplicationStatus::*;
        assert_eq!(Pending.decide(Decision::Approve), Ok(Approved));
        assert_eq!(Pending.decide(Decision::Reject), Ok(Rejected));
        for decided in [Approved, Rejected] {
            for d in [Decision::Approve, Decision::Reject] {
                assert!(matches!(
                    decided.decide(d),
                    Err(DomainError::Conflict {
                        code: ErrorCode::ApplicationDecided,
                        ..
                    })
                ));
            }
        }
        assert_eq!(ApplicationStatus::parse("approved"), Some(Approved));
        assert_eq!(ApplicationStatus::parse("nope"), None);
    }

    #[test]
    fn only_open_active_channel_programmes_take_applications() {
        assert!(accepts_applications(OrgKind::Partner, OrgStatus::Active, true));
        assert!(accepts_applications(OrgKind::Provider, OrgStatus::Active, true));
        assert!(!accepts_applications(OrgKind::Partner, OrgStatus::Active, false));
        assert!(!accepts_applications(OrgKind::Partner, OrgStatus::Suspended, true));
        assert!(accepts_applications(OrgKind::Partner, OrgStatus::Pending, true));
        assert!(!accepts_applications(OrgKind::Partner, OrgStatus::Archived, true));
        assert!(!accepts_applications(OrgKind::Customer, OrgStatus::Active, true));
    }

    #[test]
    fn free_text_is_bounded() {
        assert_eq!(ApplicationMessage::parse("  hi\nthere ").unwrap().as_str(), "hi\nthere");
        assert!(ApplicationMessage::parse("").is_ok());
        assert_eq!(
            ApplicationMessage::parse(&"x".repeat(2001)).unwrap_err().code,
            "too_long"
        );
        assert_eq!(
            ApplicationMessage::parse("a\u{0}b").unwrap_err().code,
            "control_characters"
        );
        assert_eq!(RejectionReason::parse("  ").unwrap_err().code, "required");
        assert_eq!(RejectionReason::parse("a\nb").unwrap_err().code, "control_characters");
        assert_eq!(RejectionReason::parse(" Not a fit ").unwrap().as_str(), "Not a fit");
        let padded = format!("{} ", "x".repeat(ApplicationMessage::MAX_CHARS));
        assert_eq!(
            ApplicationMessage::parse(&padded).unwrap_err().code,
            "too_long",
            "bounded as sent"
        );
    }
}
