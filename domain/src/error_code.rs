//! The table of every machine-readable `code` the API answers with: its HTTP
//! status, its title and what it means. Rules raise these codes; the api crate
//! turns them into problem+json and the OpenAPI document lists them, so the
//! contract cannot disagree with the code.

use serde::Serialize;

macro_rules! error_codes {
    ($($(#[doc = $doc:literal])+ $variant:ident = ($status:literal, $code:literal, $title:literal),)+) => {
        /// A stable, machine-readable error code (`Problem.code`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $($(#[doc = $doc])+ $variant,)+
        }

        impl ErrorCode {
            /// Every code, in table order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)+];

            /// The snake_case string clients match on.
            pub const fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $code,)+ }
            }

            /// The HTTP status every response with this code has.
            pub const fn status(self) -> u16 {
                match self { $(ErrorCode::$variant => $status,)+ }
            }

            /// A short, fixed title (the problem's `title`).
            pub const fn title(self) -> &'static str {
                match self { $(ErrorCode::$variant => $title,)+ }
            }

            /// When the API answers with this code, for the documentation.
            pub fn meaning(self) -> String {
                match self {
                    $(ErrorCode::$variant => {
                        let lines: &[&str] = &[$($doc),+];
                        lines.iter().map(|l| l.trim()).collect::<Vec<_>>().join(" ")
                    })+
                }
            }
        }

        /// One type per code, so an operation can list the codes it raises in its
        /// documentation's types (`Problems<(codes::Duplicate,)>`).
        pub mod codes {
            $(
                $(#[doc = $doc])+
                pub struct $variant;
                impl super::KnownCode for $variant {
                    const CODE: super::ErrorCode = super::ErrorCode::$variant;
                }
            )+
        }
    };
}

/// A code known at compile time.
pub trait KnownCode {
    const CODE: ErrorCode;
}

error_codes! {
    /// The body is not valid JSON, a header cannot be read, or a CSV file cannot be parsed.
    MalformedRequest = (400, "malformed_request", "The request is malformed"),
    /// No bearer token was sent (or not with the Bearer scheme).
    Unauthenticated = (401, "unauthenticated", "Authentication required"),
    /// The token is invalid or expired, or names a disabled account, a revoked
    /// client or an inactive organisation.
    InvalidToken = (401, "invalid_token", "The bearer token was refused"),
    /// The e-mail, password or second-factor code is wrong, or the account cannot
    /// sign in: one answer for all, so it reveals no account.
    InvalidCredentials = (401, "invalid_credentials", "Sign-in refused"),
    /// The password is right and the account has a second factor: send `totp_code` too.
    TotpRequired = (401, "totp_required", "A second-factor code is required"),
    /// The record is in your scope but your roles do not allow this action.
    Forbidden = (403, "forbidden", "Your roles do not allow this action"),
    /// A `kind` filter names a kind your organisation's kind does not list (pages by kind).
    PageNotAvailable = (403, "page_not_available", "This list is not available to your organisation's kind"),
    /// No such record, or it is outside your scope: the two answers are identical.
    NotFound = (404, "not_found", "Not found"),
    /// An id in the request body names no record you can see; `errors` names the field.
    ReferenceNotFound = (404, "reference_not_found", "A record named in the request was not found"),
    /// The activation link is unknown, used, expired or replaced: one answer for all.
    ActivationNotFound = (404, "activation_not_found", "No such activation link"),
    /// The password-reset or invitation link is unknown, used or expired: one answer for all.
    ResetLinkNotFound = (404, "reset_link_not_found", "No such password-reset link"),
    /// The path exists but not with this method; `Allow` lists the methods it takes.
    MethodNotAllowed = (405, "method_not_allowed", "Method not allowed"),
    /// A unique value (domain, tenant id, e-mail, a pending application, a live service instance, …) is taken; `errors` names the field.
    Duplicate = (409, "duplicate", "The request conflicts with the current state"),
    /// Another request with the same `Idempotency-Key` is still being processed.
    IdempotencyKeyInUse = (409, "idempotency_key_in_use", "The request conflicts with the current state"),
    /// The status change is not allowed from the record's current status.
    InvalidStatusTransition = (409, "invalid_status_transition", "The request conflicts with the current state"),
    /// The new parent is archived and takes no new children.
    ParentArchived = (409, "parent_archived", "The request conflicts with the current state"),
    /// An archived organisation cannot be moved.
    Archived = (409, "archived", "The request conflicts with the current state"),
    /// The provider root is always active.
    RootStatusFixed = (409, "root_status_fixed", "The request conflicts with the current state"),
    /// The provider root cannot be moved.
    RootCannotMove = (409, "root_cannot_move", "The request conflicts with the current state"),
    /// An organisation cannot move under itself or one of its descendants.
    MoveIntoOwnSubtree = (409, "move_into_own_subtree", "The request conflicts with the current state"),
    /// An organisation with live children cannot be archived.
    HasChildren = (409, "has_children", "The request conflicts with the current state"),
    /// The customer is archived and refuses changes.
    CustomerArchived = (409, "customer_archived", "The request conflicts with the current state"),
    /// Customers have no portal operators (their people are customer users).
    CustomerHasNoOperators = (409, "customer_has_no_operators", "The request conflicts with the current state"),
    /// Customers have no API clients.
    CustomerHasNoApiClients = (409, "customer_has_no_api_clients", "The request conflicts with the current state"),
    /// Customers have no brand of their own (they show their partner's).
    CustomerHasNoBrand = (409, "customer_has_no_brand", "The request conflicts with the current state"),
    /// You cannot disable yourself.
    CannotDisableSelf = (409, "cannot_disable_self", "The request conflicts with the current state"),
    /// You cannot remove your own admin role.
    CannotDemoteSelf = (409, "cannot_demote_self", "The request conflicts with the current state"),
    /// The provider must keep at least one active admin.
    LastProviderAdmin = (409, "last_provider_admin", "The request conflicts with the current state"),
    /// A customer must keep at least one active master admin.
    LastMasterAdmin = (409, "last_master_admin", "The request conflicts with the current state"),
    /// A revoked API client cannot be changed or get a new secret.
    ClientRevoked = (409, "client_revoked", "The request conflicts with the current state"),
    /// A disabled customer user cannot be impersonated.
    UserDisabled = (409, "user_disabled", "The request conflicts with the current state"),
    /// The customer is suspended or archived, so its users cannot be impersonated
    /// nor its services launched.
    CustomerInactive = (409, "customer_inactive", "The request conflicts with the current state"),
    /// Cancelled or expired subscriptions refuse changes.
    SubscriptionEnded = (409, "subscription_ended", "The request conflicts with the current state"),
    /// Only partners, distributors and customers are onboarded by activation link.
    NotOnboardable = (409, "not_onboardable", "The request conflicts with the current state"),
    /// Only pending organisations get activation links.
    NotPending = (409, "not_pending", "The request conflicts with the current state"),
    /// The application was already approved or rejected.
    ApplicationDecided = (409, "application_decided", "The request conflicts with the current state"),
    /// A billing run for this organisation and period is still queued or running.
    BillingRunActive = (409, "billing_run_active", "The request conflicts with the current state"),
    /// A total would exceed the largest amount (2^63 − 1 minor units); nothing was written.
    AmountOverflow = (409, "amount_overflow", "The request conflicts with the current state"),
    /// A second factor is already enrolled; remove it before enrolling another.
    TotpEnrolled = (409, "totp_enrolled", "The request conflicts with the current state"),
    /// No second-factor enrolment is started (to confirm) or confirmed (to remove).
    TotpNotEnrolled = (409, "totp_not_enrolled", "The request conflicts with the current state"),
    /// `If-Match` names a version that is no longer current; nothing was written.
    StaleVersion = (412, "stale_version", "The record was changed since you read it"),
    /// The body is larger than the limit.
    PayloadTooLarge = (413, "payload_too_large", "Request body too large"),
    /// The request target (path and query) is longer than the limit.
    UriTooLong = (414, "uri_too_long", "Request URI too long"),
    /// The body has another content type than the operation takes, or JSON in a charset other than UTF-8.
    UnsupportedMediaType = (415, "unsupported_media_type", "Unsupported content type"),
    /// Fields or parameters are invalid; `errors` names each one.
    ValidationFailed = (422, "validation_failed", "The request has invalid fields"),
    /// CSV rows are invalid; `errors` names each line and column, and nothing was imported.
    ImportRejected = (422, "import_rejected", "The file has bad rows"),
    /// Too many requests; `Retry-After` says when to try again.
    RateLimited = (429, "rate_limited", "Too many requests"),
    /// An unexpected error; it has been logged.
    InternalError = (500, "internal_error", "Internal server error"),
    /// The database is unreachable; `Retry-After` says when to try again.
    Unavailable = (503, "unavailable", "Service temporarily unavailable"),
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for ErrorCode {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        Self::ALL.iter().copied().find(|c| c.as_str() == s).ok_or(())
    }
}

/// A string enum of every code; its description is the table (code, status, meaning).
impl utoipa::PartialSchema for ErrorCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
        let mut table =
            String::from("Every code the API answers with:\n\n| code | status | meaning |\n|---|---|---|\n");
        for code in Self::ALL {
            table.push_str(&format!("| `{code}` | {} | {} |\n", code.status(), code.meaning()));
        }
        ObjectBuilder::new()
            .schema_type(SchemaType::new(Type::String))
            .enum_values(Some(Self::ALL.iter().map(|c| c.as_str())))
            .description(Some(table))
            .into()
    }
}

impl utoipa::ToSchema for ErrorCode {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case_and_serialize_as_listed() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            assert!(seen.insert(code.as_str()), "{code} appears twice");
            assert!(code.as_str().chars().all(|c| c.is_ascii_lowercase() || c == '_'));
            assert_eq!(serde_json::to_value(code).ok(), Some(serde_json::json!(code.as_str())));
            assert_eq!(code.as_str().parse::<ErrorCode>(), Ok(*code));
            assert!((400..600).contains(&code.status()));
            assert!(!code.meaning().is_empty());
        }
    }
}
