//! The `Authenticated` extractor: a handler that takes it cannot run without a
//! verified token and a principal loaded fresh from the database, so disabling an
//! operator, revoking a client or changing roles applies to the very next request.

use std::future::Future;
use std::pin::Pin;

use actix_web::{web, FromRequest, HttpRequest};
use domain::{OperatorStatus, Principal, PrincipalKind};
use persistence::{Actor, AuditEntry, Operator, Store, StoreError};

use super::verifier::{Verified, VerifiedSubject};
use crate::error::ApiError;
use crate::state::AppState;

pub struct Authenticated(pub Principal);

/// The audit log's name for what this principal does.
pub fn audit_entry(principal: &Principal) -> AuditEntry {
    AuditEntry::by(match principal.kind {
        PrincipalKind::Operator => Actor::Operator(principal.id),
        PrincipalKind::ApiClient => Actor::ApiClient(principal.id),
    })
}

/// The principal, or why the token names no one who may act.
pub(crate) enum Loaded {
    Principal(Principal),
    Refused(&'static str),
}

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let caller = Caller::from_request(req);
        Box::pin(async move {
            let (state, verified) = caller?;
            let loaded = state.db(move |s| load_principal(s, verified)).await?;
            Ok(Authenticated(loaded.into_principal()?))
        })
    }
}

/// A request's verified token and the state to load its principal with: the
/// checks that need no database, so a guard can load the principal and its
/// record in one trip to the blocking pool.
pub(crate) struct Caller;

impl Caller {
    pub(crate) fn from_request(req: &HttpRequest) -> Result<(web::Data<AppState>, Verified), ApiError> {
        let state = req
            .app_data::<web::Data<AppState>>()
            .cloned()
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
        Ok((state, verified))
    }
}

impl Loaded {
    pub(crate) fn into_principal(self) -> Result<Principal, ApiError> {
        match self {
            Loaded::Principal(p) => {
                crate::request_context::record_principal(p.id);
                Ok(p)
            }
            Loaded::Refused(why) => Err(ApiError::InvalidToken(why.into())),
        }
    }
}

pub(crate) fn load_principal(store: &Store, verified: Verified) -> Result<Loaded, StoreError> {
    let operator = match verified.subject {
        VerifiedSubject::ApiClient(id) => {
            return Ok(match store.api_client(id)? {
                Some(c) if c.may_act() => Loaded::Principal(c.principal()),
                Some(_) => Loaded::Refused("this API client is revoked or its organisation is inactive"),
                None => Loaded::Refused("the token names no API client"),
            });
        }
        VerifiedSubject::Operator(id) => store.operator(id)?,
        VerifiedSubject::Email(email) => pick_single(store.operators_by_email(&email)?),
    };
    let Some(operator) = operator else {
        return Ok(Loaded::Refused("the token names no operator"));
    };
    if !operator.may_sign_in() {
        return Ok(Loaded::Refused(
            "this account is disabled or its organisation is inactive",
        ));
    }
    if is_new_sign_in(&operator, &verified.issued_at) {
        store.record_sign_in(&operator, verified.issued_at)?;
    }
    Ok(Loaded::Principal(operator.principal()))
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

fn bearer_token(header: &str) -> Option<&str> {
    let (scheme, token) = header.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty()).then(|| token.trim())
}
