//! `POST /v1/customer-sessions`: a customer user signs in to the customer portal.

use actix_web::http::header;
use actix_web::{post, web, HttpRequest, HttpResponse};
use chrono::Utc;
use domain::credentials::THROTTLE_WINDOW;
use domain::{codes, CustomerUserStatus};
use persistence::CustomerUser;

use super::view::{Session, SignIn};
use super::{client_address, off_workers, refuse_if_throttled};
use crate::auth::{customer_session_token, verify_password};
use crate::error::ApiError;
use crate::extract::StrictJson;
use crate::problems::Problems;
use crate::state::AppState;

/// The user whose password matches, if it may sign in (active, customer operating).
fn check(candidates: Vec<(CustomerUser, Option<String>)>, password: &str) -> Result<Option<CustomerUser>, ApiError> {
    if candidates.iter().all(|(_, hash)| hash.is_none()) {
        verify_password(password, None)?;
        return Ok(None);
    }
    for (user, hash) in candidates {
        if hash.is_some() && verify_password(password, hash.as_deref())? {
            let may = user.status == CustomerUserStatus::Active && user.customer_status.is_operating();
            return Ok(may.then_some(user));
        }
    }
    Ok(None)
}

/// Sign in to the customer portal
///
/// Public. The same body and rules as `POST /v1/sessions` (one answer for
/// unknown e-mails, wrong passwords and disabled users; the same throttling),
/// for customer users: the token has audience `customer-portal` and type
/// `customer_access`, is verified with `/.well-known/jwks.json`, and is not
/// accepted by this API. Customer users set their password through an
/// invitation or `POST /v1/password-resets`. `totp_code` is ignored: customer
/// users have no second factor yet.
#[utoipa::path(
    tag = "Sign-in",
    operation_id = "signInCustomerUser",
    request_body = SignIn,
    responses(
        (status = 200, description = "Signed in to the customer portal", body = Session),
        Problems<(codes::InvalidCredentials, codes::RateLimited)>,
    ),
    security(())
)]
#[post("/customer-sessions")]
pub async fn create_customer_session(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: StrictJson<SignIn>,
) -> Result<HttpResponse, ApiError> {
    let email = body.0.email()?;
    let password = body.0.password;
    let address = client_address(&req);
    let now = state.clock.now();
    let lookup = {
        let (email, address) = (email.clone(), address.clone());
        state
            .db(move |s| s.customer_sign_in_lookup(&email, &address, now - THROTTLE_WINDOW))
            .await?
    };
    refuse_if_throttled(lookup.by_email, lookup.by_address, now)?;
    let Some(user) = off_workers(move || check(lookup.candidates, &password)).await? else {
        state
            .db(move |s| s.customer_sign_in_failed(&email, &address, now))
            .await?;
        return Err(ApiError::InvalidCredentials);
    };
    let signed = user.clone();
    state.db(move |s| s.customer_signed_in(&signed, Utc::now())).await?;
    let ttl = state.config.access_token_ttl_secs;
    let token = customer_session_token(&state.keys, &state.config.issuer(), user.id, user.customer_id, ttl)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(Session {
            access_token: token,
            token_type: "Bearer".into(),
            expires_in: ttl,
            scope: None,
        }))
}
