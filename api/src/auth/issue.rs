//! Minting the API's own access tokens.

use chrono::Utc;
use domain::PrincipalKind;
use uuid::Uuid;

use super::claims::{AccessClaims, ACCESS_AUDIENCE, ACCESS_TOKEN_TYPE};
use super::keys::{KeyError, SigningKeys};

pub fn access_token(
    keys: &SigningKeys,
    issuer: &str,
    subject: Uuid,
    kind: PrincipalKind,
    ttl_secs: i64,
) -> Result<String, KeyError> {
    let now = Utc::now().timestamp();
    keys.sign(&AccessClaims {
        iss: issuer.to_string(),
        aud: ACCESS_AUDIENCE.to_string(),
        sub: subject.to_string(),
        pty: match kind {
            PrincipalKind::Operator => "operator",
            PrincipalKind::ApiClient => "api_client",
        }
        .to_string(),
        typ: ACCESS_TOKEN_TYPE.to_string(),
        iat: now,
        nbf: now,
        exp: now + ttl_secs,
        jti: Uuid::now_v7().to_string(),
    })
}
