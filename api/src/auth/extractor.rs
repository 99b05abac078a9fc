//! The `Authenticated` extractor: a handler that takes it cannot run without a
//! verified token, and its one trip to the database ([`Authenticated::db`])
//! starts by loading the principal fresh, so disabling an operator, revoking a
//! client or changing roles applies to the very next request.

use std::future::{ready, Ready};

use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use domain::credentials::issued_before_credential_change;
use domain::{OperatorStatus, Principal, PrincipalKind};
use persistence::{Actor, AuditEntry, Operator, Store};

use super::verifier::{Verified, VerifiedSubject};
use crate::error::ApiError;
use crate::request_context::RequestContext;
use crate::state::AppState;

/// A verified bearer token (401 otherwise); the checks that need no database.
/// It carries the request's context, where the access log and the export slots
/// learn the caller once its trip loads it.
pub struct Authenticated(Verified, Option<RequestContext>);

/// The audit log's name for what this principal does.
pub fn audit_entry(principal: &Principal) -> AuditEntry {
    AuditEntry::by(match principal.kind {
        PrincipalKind::Operator => Actor::Operator(principal.id),
        PrincipalKind::ApiClient => Actor::ApiClient(principal.id),
    })
}

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        ready(Self::verify(req))
    }
}

/// A caller of `/v1/me` or the second-factor enrolment paths: the one place a
/// token limited to enrolment (`scope: totp_enrolment`) is accepted.
pub struct EnrolmentCaller(pub Authenticated);

impl FromRequest for EnrolmentCaller {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        ready(Authenticated::verify_any(req).map(Self))
    }
}

impl Authenticated {
    /// A verified token that is not limited to second-factor enrolment.
    pub(crate) fn verify(req: &HttpRequest) -> Result<Self, ApiError> {
        let caller = Self::verify_any(req)?;
        if caller.0.enrolment_only {
            return Err(refused(
                "this token reaches only /v1/me and /v1/me/totp: your organisation requires a second factor; \
                 enrol one and sign in again",
            ));
        }
        Ok(caller)
    }

    /// A verified token, enrolment-only ones too (`/v1/me`, second-factor
    /// enrolment, and the Idempotency-Key's owner).
    pub(crate) fn verify_any(req: &HttpRequest) -> Result<Self, ApiError> {
        // A token is verified once per request, by whoever asks first (the rate
        // limiter, the idempotency middleware or an extractor), and kept.
        if let Some(verified) = req.extensions().get::<Verified>() {
            return Ok(Self(verified.clone(), crate::request_context::current()));
        }
        let state = req
            .app_data::<web::Data<AppState>>()
            .ok_or_else(|| ApiError::Internal("application state missing".into()))?;
        let header = req
            .headers()
            .get(actix_web::http::header::AUTHORIZATION)
            .and_then(|h| h.to_str().ok())
            .ok_or(ApiError::Unauthenticated("a bearer token is required"))?;
        let token = bearer_token(header).ok_or(ApiError::Unauthenticated("use the Bearer scheme"))?;
        let verified = state
            .verifier
            .verify(token)
            .map_err(|e| ApiError::InvalidToken(e.to_string()))?;
        req.extensions_mut().insert(verified.clone());
        Ok(Self(verified, crate::request_context::current()))
    }

    /// Whose `Idempotency-Key`s this caller's are: the principal the token
    /// names (by id, or by e-mail for an identity provider's token).
    pub(crate) fn key_scope(&self) -> String {
        match &self.0.subject {
            VerifiedSubject::Operator(id) | VerifiedSubject::ApiClient(id) => id.to_string(),
            VerifiedSubject::Email(email) => format!("email:{}", email.to_lowercase()),
        }
    }

    /// The request's one trip to the database: the principal (401 if it may
    /// not act), then `f` with it, all on one connection in one blocking call.
    pub async fn db<T, E, F>(self, state: &AppState, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        E: Send + 'static,
        ApiError: From<E>,
        F: FnOnce(&Store, &Principal) -> Result<T, E> + Send + 'static,
    {
        state
            .db::<T, ApiError, _>(move |s| {
                let principal = self.principal(s)?;
                Ok(f(s, &principal)?)
            })
            .await
    }

    /// The principal the token names, loaded on the caller's connection; a
    /// new sign-in is recorded on it too.
    pub(crate) fn principal(self, store: &Store) -> Result<Principal, ApiError> {
        let context = self.1;
        let principal = Self::load(store, self.0)?;
        if let Some(context) = context {
            context.record_principal(principal.id);
        }
        Ok(principal)
    }

    fn load(store: &Store, verified: Verified) -> Result<Principal, ApiError> {
        let operator = match verified.subject {
            VerifiedSubject::ApiClient(id) => {
                return match store.api_client(id)? {
                    Some(c) if !c.may_act() => {
                        Err(refused("this API client is revoked or its organisation is inactive"))
                    }
                    Some(c) if !c.accepts_token_issued_at(verified.issued_at) => {
                        Err(refused("this token was issued before the client's secret was rotated"))
                    }
                    Some(c) => Ok(c.principal()),
                    None => Err(refused("the token names no API client")),
                };
            }
            VerifiedSubject::Operator(id) => store.operator(id)?,
            VerifiedSubject::Email(email) => pick_single(store.operators_by_email(&email)?),
        };
        let operator = operator.ok_or_else(|| refused("the token names no operator"))?;
        if !operator.may_sign_in() {
            return Err(refused("this account is disabled or its organisation is inactive"));
        }
        if issued_before_credential_change(verified.issued_at, operator.credentials_changed_at) {
            return Err(refused(
                "the token was issued before the account's password last changed",
            ));
        }
        if is_new_sign_in(&operator, &verified.issued_at) {
            store.record_sign_in(&operator, verified.issued_at)?;
        }
        Ok(operator.principal())
    }
}

fn refused(why: &str) -> ApiError {
    ApiError::InvalidToken(why.into())
}

/// The first request with a token issued after the last recorded sign-in.
fn is_new_sign_in(op: &Operator, issued_at: &chrono::DateTime<chrono::Utc>) -> bool {
    op.status == OperatorStatus::Invited || op.last_sign_in_at.is_none_or(|last| *issued_at > last)
}

/// An e-mail that names operators in several organisations cannot pick one.
fn pick_single(mut found: Vec<Operator>) -> Option<Operator> {
    if found.len() == 1 {
        found.pop()
    } else {
        None
    }
}

pub(crate) fn bearer_token(header: &str) -> Option<&str> {
    let (scheme, token) = header.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty()).then(|| token.trim())
}
