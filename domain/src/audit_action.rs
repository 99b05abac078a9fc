//! What an audit event records that happened. The string form is what the
//! audit log stores and clients filter on (and what webhook event types will
//! be), so it never changes once released: add variants, never rename them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! audit_actions {
    ($($variant:ident = $name:literal,)+) => {
        /// Every kind of audit event, `subject.verb`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum AuditAction {
            $($variant,)+
        }

        impl AuditAction {
            /// Every action, grouped by subject.
            pub const ALL: &'static [AuditAction] = &[$(AuditAction::$variant,)+];

            /// The stored, stable string, e.g. `organization.moved`.
            pub const fn as_str(self) -> &'static str {
                match self { $(AuditAction::$variant => $name,)+ }
            }
        }
    };
}

audit_actions! {
    OrganizationActivated = "organization.activated",
    OrganizationArchived = "organization.archived",
    OrganizationCreated = "organization.created",
    OrganizationMoved = "organization.moved",
    OrganizationReactivated = "organization.reactivated",
    OrganizationSuspended = "organization.suspended",
    OrganizationUpdated = "organization.updated",
    OperatorActivated = "operator.activated",
    OperatorCreated = "operator.created",
    OperatorDisabled = "operator.disabled",
    OperatorEnabled = "operator.enabled",
    OperatorImported = "operator.imported",
    OperatorSignedIn = "operator.signed_in",
    OperatorUpdated = "operator.updated",
    OperatorPasswordChanged = "operator.password_changed",
    OperatorPasswordReset = "operator.password_reset",
    OperatorPasswordResetRequested = "operator.password_reset_requested",
    OperatorSignInThrottled = "operator.sign_in_throttled",
    OperatorTotpEnrolled = "operator.totp_enrolled",
    OperatorTotpRemoved = "operator.totp_removed",
    ApiClientCreated = "api_client.created",
    ApiClientRevoked = "api_client.revoked",
    ApiClientSecretRotated = "api_client.secret_rotated",
    ApiClientTokenIssued = "api_client.token_issued",
    ApiClientUpdated = "api_client.updated",
    CustomerUserCreated = "customer_user.created",
    CustomerUserDisabled = "customer_user.disabled",
    CustomerUserEnabled = "customer_user.enabled",
    CustomerUserImpersonated = "customer_user.impersonated",
    CustomerUserPasswordSet = "customer_user.password_set",
    CustomerUserInvited = "customer_user.invited",
    CustomerUserPasswordResetRequested = "customer_user.password_reset_requested",
    CustomerUserSignedIn = "customer_user.signed_in",
    CustomerUserUpdated = "customer_user.updated",
    ServiceInstanceCreated = "service_instance.created",
    ServiceInstanceRemoved = "service_instance.removed",
    ServiceInstanceLaunched = "service_instance.launched",
    ServiceCreated = "service.created",
    ServiceUpdated = "service.updated",
    BrandUpdated = "brand.updated",
    BrandDeleted = "brand.deleted",
    BrandLogoUpdated = "brand.logo_updated",
    BrandLogoDeleted = "brand.logo_deleted",
    SubscriptionCancelled = "subscription.cancelled",
    SubscriptionCreated = "subscription.created",
    SubscriptionReactivated = "subscription.reactivated",
    SubscriptionSuspended = "subscription.suspended",
    SubscriptionUpdated = "subscription.updated",
    InvoiceIssued = "invoice.issued",
    InvoicePaid = "invoice.paid",
    InvoiceVoided = "invoice.voided",
    BillingRun = "billing.run",
    BillingRunStarted = "billing_run.started",
    BillingRunFinished = "billing_run.finished",
    ApplicationApproved = "application.approved",
    ApplicationRejected = "application.rejected",
    ApplicationSubmitted = "application.submitted",
    ActivationLinkAccepted = "activation_link.accepted",
    ActivationLinkRevoked = "activation_link.revoked",
    ActivationLinkSent = "activation_link.sent",
    WebhookEndpointCreated = "webhook_endpoint.created",
    WebhookEndpointDeleted = "webhook_endpoint.deleted",
    WebhookEndpointDisabled = "webhook_endpoint.disabled",
    WebhookEndpointSecretRotated = "webhook_endpoint.secret_rotated",
    WebhookEndpointUpdated = "webhook_endpoint.updated",
}

/// A string that names no audit action.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an audit action")]
pub struct UnknownAuditAction(pub String);

impl FromStr for AuditAction {
    type Err = UnknownAuditAction;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .iter()
            .copied()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| UnknownAuditAction(s.to_string()))
    }
}

impl fmt::Display for AuditAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for AuditAction {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for AuditAction {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn strings_are_unique_and_round_trip() {
        let strings: HashSet<&str> = AuditAction::ALL.iter().map(|a| a.as_str()).collect();
        assert_eq!(strings.len(), AuditAction::ALL.len());
        for &a in AuditAction::ALL {
            assert_eq!(a.as_str().parse::<AuditAction>(), Ok(a));
            let json = serde_json::to_string(&a).unwrap();
            assert_eq!(json, format!("\"{}\"", a.as_str()));
            assert_eq!(serde_json::from_str::<AuditAction>(&json).unwrap(), a);
        }
    }

    #[test]
    fn strings_are_subject_dot_verb() {
        for &a in AuditAction::ALL {
            let (subject, verb) = a.as_str().split_once('.').unwrap();
            assert!(!subject.is_empty() && !verb.is_empty() && !verb.contains('.'), "{a}");
            assert!(a
                .as_str()
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'_' || b == b'.'));
        }
        assert!("no.such".parse::<AuditAction>().is_err());
    }
}
