//! Impersonation tokens ("launch the customer portal as this user"): short-lived
//! JWTs for the customer portal, signed with the API's key (published in the
//! JWKS), naming the customer user as `sub` and the operator acting for them in
//! the RFC 8693 `act` claim. Their audience and `typ` differ from access tokens,
//! so this API never accepts one as a bearer token.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::keys::{KeyError, SigningKeys};

/// The audience of impersonation tokens: the customer portal, never this API.
pub const IMPERSONATION_AUDIENCE: &str = "customer-portal";
/// The `typ` claim of impersonation tokens.
pub const IMPERSONATION_TOKEN_TYPE: &str = "impersonation";
/// Lifetime of an impersonation token, in seconds (15 minutes).
pub const IMPERSONATION_TTL_SECS: i64 = 900;

/// The RFC 8693 §4.1 `act` claim: who acts on behalf of the subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActingParty {
    /// The operator's id.
    pub sub: String,
    /// The operator's e-mail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// Claims of an impersonation token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImpersonationClaims {
    pub iss: String,
    pub aud: String,
    pub typ: String,
    /// The customer user's id.
    pub sub: String,
    /// The customer (tenant) the user belongs to.
    pub tid: String,
    pub act: ActingParty,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub jti: String,
}

/// A minted token with what the audit log keeps of it.
pub struct ImpersonationToken {
    pub token: String,
    pub jti: Uuid,
    pub expires_at: DateTime<Utc>,
}

/// Signs a token for `user` of `customer`, acted on by `operator`, valid from now
/// for [`IMPERSONATION_TTL_SECS`].
pub fn impersonation_token(
    keys: &SigningKeys,
    issuer: &str,
    user: Uuid,
    customer: Uuid,
    operator: Uuid,
    operator_email: Option<&str>,
) -> Result<ImpersonationToken, KeyError> {
    let now = Utc::now().timestamp();
    let exp = now + IMPERSONATION_TTL_SECS;
    let jti = Uuid::now_v7();
    let token = keys.sign(&ImpersonationClaims {
        iss: issuer.to_string(),
        aud: IMPERSONATION_AUDIENCE.to_string(),
        typ: IMPERSONATION_TOKEN_TYPE.to_string(),
        sub: user.to_string(),
        tid: customer.to_string(),
        act: ActingParty {
            sub: operator.to_string(),
            email: operator_email.map(str::to_owned),
        },
        iat: now,
        nbf: now,
        exp,
        jti: jti.to_string(),
    })?;
    Ok(ImpersonationToken {
        token,
        jti,
        expires_at: DateTime::from_timestamp(exp, 0).unwrap_or_else(Utc::now),
    })
}
