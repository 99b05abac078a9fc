//! Customer-portal session tokens: a customer user who signed in with a
//! password gets a token for the customer portal (audience `customer-portal`,
//! type `customer_access`), signed with the API's key like impersonation
//! tokens. This API refuses them as bearer tokens (wrong audience and type).

use chrono::Utc;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::impersonation::IMPERSONATION_AUDIENCE;
use super::keys::{KeyError, SigningKeys};

/// The `typ` claim of customer-portal session tokens.
pub const CUSTOMER_ACCESS_TOKEN_TYPE: &str = "customer_access";

/// Claims of a customer-portal session token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CustomerSessionClaims {
    pub iss: String,
    pub aud: String,
    pub typ: String,
    /// The customer user's id.
    pub sub: String,
    /// The customer (tenant) the user belongs to.
    pub tid: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub jti: String,
}

pub fn customer_session_token(
    keys: &SigningKeys,
    issuer: &str,
    user: Uuid,
    customer: Uuid,
    ttl_secs: i64,
) -> Result<String, KeyError> {
    let now = Utc::now().timestamp();
    keys.sign(&CustomerSessionClaims {
        iss: issuer.to_string(),
        aud: IMPERSONATION_AUDIENCE.to_string(),
        typ: CUSTOMER_ACCESS_TOKEN_TYPE.to_string(),
        sub: user.to_string(),
        tid: customer.to_string(),
        iat: now,
        nbf: now,
        exp: now + ttl_secs,
        jti: Uuid::now_v7().to_string(),
    })
}
