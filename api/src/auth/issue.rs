//! Minting the API's own access tokens.

use chrono::{DateTime, Utc};
use domain::PrincipalKind;
use uuid::Uuid;

use super::claims::{AccessClaims, ACCESS_AUDIENCE, ACCESS_TOKEN_TYPE, TOTP_ENROLMENT_SCOPE};
use super::keys::{KeyError, SigningKeys};

pub fn access_token(
    keys: &SigningKeys,
    issuer: &str,
    subject: Uuid,
    kind: PrincipalKind,
    ttl_secs: i64,
) -> Result<String, KeyError> {
    let now = Utc::now().timestamp();
    sign(keys, issuer, subject, kind, now, now + ttl_secs, None)
}

/// A token for an operator who signed in with a password: issued at `issued_at`
/// (after the last credential change, see `domain::credentials::issue_time`), and
/// limited to second-factor enrolment when `enrolment_only`.
pub fn sign_in_token(
    keys: &SigningKeys,
    issuer: &str,
    operator: Uuid,
    issued_at: DateTime<Utc>,
    ttl_secs: i64,
    enrolment_only: bool,
) -> Result<String, KeyError> {
    let iat = issued_at.timestamp();
    sign(
        keys,
        issuer,
        operator,
        PrincipalKind::Operator,
        iat,
        iat + ttl_secs,
        enrolment_only.then(|| TOTP_ENROLMENT_SCOPE.to_string()),
    )
}

fn sign(
    keys: &SigningKeys,
    issuer: &str,
    subject: Uuid,
    kind: PrincipalKind,
    iat: i64,
    exp: i64,
    scope: Option<String>,
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
        iat,
        nbf: now,
        exp,
        jti: Uuid::now_v7().to_string(),
        scope,
    })
}
