//! Token verification with an algorithm allow-list and required `exp`, `nbf`,
//! `iss`, `aud`. The `kid` picks the key; an unknown `kid` is a 401, never a fetch.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use jsonwebtoken::{decode, decode_header, Algorithm, Validation};
use serde::Deserialize;
use uuid::Uuid;

use super::claims::{AccessClaims, ACCESS_AUDIENCE, ACCESS_TOKEN_TYPE, TOTP_ENROLMENT_SCOPE};
use super::keys::SigningKeys;
use super::oidc::IdentityProvider;

/// Who a valid token names; the principal itself is loaded from the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifiedSubject {
    Operator(Uuid),
    ApiClient(Uuid),
    /// From the identity provider: the operator is found by this e-mail.
    Email(String),
}

/// A valid token: whom it names and when it was issued (a new token is a sign-in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub subject: VerifiedSubject,
    pub issued_at: DateTime<Utc>,
    /// The token reaches only `/v1/me` and second-factor enrolment.
    pub enrolment_only: bool,
}

/// Why a token was refused; shown to the client as the problem's detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the token is malformed")]
    Malformed,
    #[error("the token is signed with an unknown key")]
    UnknownKey,
    #[error("the token's signature, issuer, audience or validity period is wrong")]
    Invalid,
    #[error("the token has expired")]
    Expired,
    #[error("this kind of token is not accepted here")]
    WrongType,
}

pub struct TokenVerifier {
    keys: Arc<SigningKeys>,
    issuer: String,
    idp: Option<IdentityProvider>,
}

#[derive(Deserialize)]
struct IdpClaims {
    iat: Option<i64>,
    nbf: i64,
    email: Option<String>,
    preferred_username: Option<String>,
    upn: Option<String>,
}

fn validation(alg: Algorithm, issuer: &str, audience: &str) -> Validation {
    let mut v = Validation::new(alg);
    v.set_issuer(&[issuer]);
    v.set_audience(&[audience]);
    v.set_required_spec_claims(&["exp", "nbf", "iss", "aud"]);
    v.validate_exp = true;
    v.validate_nbf = true;
    v.leeway = 30;
    v
}

fn timestamp(secs: i64) -> Result<DateTime<Utc>, TokenError> {
    DateTime::from_timestamp(secs, 0).ok_or(TokenError::Invalid)
}

fn classify(e: jsonwebtoken::errors::Error) -> TokenError {
    match e.kind() {
        jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenError::Expired,
        _ => TokenError::Invalid,
    }
}

impl TokenVerifier {
    pub fn new(keys: Arc<SigningKeys>, issuer: String, idp: Option<IdentityProvider>) -> Self {
        Self { keys, issuer, idp }
    }

    pub fn verify(&self, token: &str) -> Result<Verified, TokenError> {
        let header = decode_header(token).map_err(|_| TokenError::Malformed)?;
        let kid = header.kid.as_deref().ok_or(TokenError::UnknownKey)?;
        if kid == self.keys.kid() {
            if header.alg != Algorithm::EdDSA {
                return Err(TokenError::Invalid);
            }
            let data = decode::<AccessClaims>(
                token,
                self.keys.decoding_key(),
                &validation(Algorithm::EdDSA, &self.issuer, ACCESS_AUDIENCE),
            )
            .map_err(classify)?;
            let c = data.claims;
            if c.typ != ACCESS_TOKEN_TYPE {
                return Err(TokenError::WrongType);
            }
            let id = Uuid::try_parse(&c.sub).map_err(|_| TokenError::Invalid)?;
            let subject = match c.pty.as_str() {
                "operator" => VerifiedSubject::Operator(id),
                "api_client" => VerifiedSubject::ApiClient(id),
                _ => return Err(TokenError::WrongType),
            };
            return Ok(Verified {
                subject,
                issued_at: timestamp(c.iat)?,
                enrolment_only: c.scope.as_deref() == Some(TOTP_ENROLMENT_SCOPE),
            });
        }
        let idp = self.idp.as_ref().ok_or(TokenError::UnknownKey)?;
        let key = idp.key(kid).ok_or(TokenError::UnknownKey)?;
        if header.alg != Algorithm::RS256 {
            return Err(TokenError::Invalid);
        }
        let data = decode::<IdpClaims>(token, key, &validation(Algorithm::RS256, &idp.issuer, &idp.audience))
            .map_err(classify)?;
        let c = data.claims;
        let email = c
            .email
            .or(c.preferred_username)
            .or(c.upn)
            .filter(|e| e.contains('@'))
            .ok_or(TokenError::Invalid)?;
        Ok(Verified {
            subject: VerifiedSubject::Email(email.trim().to_lowercase()),
            issued_at: timestamp(c.iat.unwrap_or(c.nbf))?,
            enrolment_only: false,
        })
    }
}
