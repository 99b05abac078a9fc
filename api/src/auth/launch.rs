//! Launch tokens ("open this customer's service as its partner"): 60-second
//! JWTs signed with the API's key (published in the JWKS) for the service
//! itself: audience the service's key, `typ` `launch`, the service instance as
//! `sub`, the customer tenant and region as claims, and the operator in the
//! RFC 8693 `act` claim. Their audience and `typ` differ from access tokens,
//! so this API never accepts one as a bearer token.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::impersonation::ActingParty;
use super::keys::{KeyError, SigningKeys};

/// The `typ` claim of launch tokens.
pub const LAUNCH_TOKEN_TYPE: &str = "launch";
/// Lifetime of a launch token, in seconds: long enough to follow the URL.
pub const LAUNCH_TTL_SECS: i64 = 60;

/// Claims of a launch token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LaunchClaims {
    pub iss: String,
    /// The catalogue service's key (e.g. `call-manager`).
    pub aud: String,
    pub typ: String,
    /// The service instance's id.
    pub sub: String,
    /// The customer (tenant) the instance belongs to.
    pub tid: String,
    /// The instance's region.
    pub region: String,
    pub act: ActingParty,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub jti: String,
}

/// What a launch is for: the instance, its customer, service and region.
pub struct LaunchTarget<'a> {
    pub instance: Uuid,
    pub customer: Uuid,
    pub service: &'a str,
    pub region: &'a str,
}

/// A minted token with what the audit log keeps of it.
pub struct LaunchToken {
    pub token: String,
    pub jti: Uuid,
    pub expires_at: DateTime<Utc>,
}

/// Signs a launch of `target` by `operator`, valid from now for [`LAUNCH_TTL_SECS`].
pub fn launch_token(
    keys: &SigningKeys,
    issuer: &str,
    target: &LaunchTarget<'_>,
    operator: Uuid,
    operator_email: Option<&str>,
) -> Result<LaunchToken, KeyError> {
    let now = Utc::now().timestamp();
    let exp = now + LAUNCH_TTL_SECS;
    let jti = Uuid::now_v7();
    let token = keys.sign(&LaunchClaims {
        iss: issuer.to_string(),
        aud: target.service.to_string(),
        typ: LAUNCH_TOKEN_TYPE.to_string(),
        sub: target.instance.to_string(),
        tid: target.customer.to_string(),
        region: target.region.to_string(),
        act: ActingParty {
            sub: operator.to_string(),
            email: operator_email.map(str::to_owned),
        },
        iat: now,
        nbf: now,
        exp,
        jti: jti.to_string(),
    })?;
    Ok(LaunchToken {
        token,
        jti,
        expires_at: DateTime::from_timestamp(exp, 0).unwrap_or_else(Utc::now),
    })
}
