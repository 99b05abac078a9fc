//! The `Authenticated` extractor: a handler that takes it cannot run without a
//! verified token and a principal loaded fresh from the database, so disabling an
//! operator or changing its roles applies to its very next request.

use std::future::Future;
use std::pin::Pin;

use actix_web::{web, FromRequest, HttpRequest};
use domain::Principal;

use super::verifier::VerifiedSubject;
use crate::error::ApiError;
use crate::state::AppState;

pub struct Authenticated(pub Principal);

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let header = req
            .headers()
            .get(actix_web::http::header::AUTHORIZATION)
            .and_then(|h| h.to_str().ok())
            .map(str::to_owned);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::Internal("application state missing".into()))?;
            let header = header.ok_or(ApiError::Unauthenticated("a bearer token is required"))?;
            let token = bearer_token(&header).ok_or(ApiError::Unauthenticated("use the Bearer scheme"))?;
            let subject = state
                .verifier
                .verify(token)
                .map_err(|e| ApiError::InvalidToken(e.to_string()))?;
            let store = state.store.clone();
            let operator = web::block(move || match subject {
                VerifiedSubject::Operator(id) => store.operator(id),
                VerifiedSubject::Email(email) => Ok(pick_single(store.operators_by_email(&email)?)),
                VerifiedSubject::ApiClient(_) => Ok(None),
            })
            .await??;
            let operator = operator.ok_or_else(|| ApiError::InvalidToken("the token names no operator".into()))?;
            if !operator.may_sign_in() {
                return Err(ApiError::InvalidToken("this account is disabled".into()));
            }
            Ok(Authenticated(operator.principal()))
        })
    }
}

/// An e-mail that names operators in several organisations cannot pick one.
fn pick_single(mut found: Vec<persistence::Operator>) -> Option<persistence::Operator> {
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
