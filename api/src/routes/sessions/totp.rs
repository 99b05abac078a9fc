//! Second-factor enrolment: `POST /v1/me/totp` starts it, `POST
//! /v1/me/totp/confirm` confirms it with a first code, `DELETE /v1/me/totp`
//! removes it. These (and `/v1/me`) accept the enrolment-only token.

use actix_web::{delete, post, web, HttpResponse};
use domain::{codes, ErrorCode, Principal, PrincipalKind};
use persistence::{Operator, Store};

use super::view::{RemoveTotp, TotpCode, TotpEnrolment};
use crate::auth::{audit_entry, verify_password, EnrolmentCaller, TotpSecret};
use crate::error::ApiError;
use crate::extract::StrictJson;
use crate::problems::Problems;
use crate::state::AppState;

/// The name authenticator apps show for the account.
const ISSUER: &str = "Partner Portal";

fn not_enrolled() -> ApiError {
    ApiError::Conflict {
        code: ErrorCode::TotpNotEnrolled,
        field: None,
        message: "no second factor is enrolled (or being enrolled); start with POST /v1/me/totp".into(),
    }
}

fn wrong_code() -> ApiError {
    ApiError::invalid(
        "code",
        "wrong",
        "code is not the authenticator's current code, or was used already",
    )
}

/// The operator behind the caller; API clients have no second factor.
fn operator(s: &Store, principal: &Principal) -> Result<Operator, ApiError> {
    match principal.kind {
        PrincipalKind::Operator => s.operator(principal.id)?.ok_or(ApiError::NotFound),
        PrincipalKind::ApiClient => Err(not_enrolled()),
    }
}

/// Start second-factor enrolment
///
/// Creates a new TOTP secret (RFC 6238: SHA-1, 6 digits, 30 s) for you and
/// returns it once, in base32 and as an `otpauth://` URI for a QR code. It
/// takes effect when confirmed with a code; starting again replaces an
/// unconfirmed secret. 409 `totp_enrolled` when a second factor is already
/// confirmed (remove it first).
#[utoipa::path(
    tag = "Sign-in",
    operation_id = "startTotpEnrolment",
    responses(
        (status = 200, description = "The secret to add to an authenticator app", body = TotpEnrolment),
        Problems<(codes::TotpEnrolled, codes::TotpNotEnrolled)>,
    ),
    security(("bearer" = []))
)]
#[post("/me/totp")]
pub async fn start_totp_enrolment(
    state: web::Data<AppState>,
    caller: EnrolmentCaller,
) -> Result<HttpResponse, ApiError> {
    let st = state.clone();
    let enrolment = caller
        .0
        .db(&state, move |s, principal| -> Result<TotpEnrolment, ApiError> {
            let op = operator(s, principal)?;
            let secret = TotpSecret::generate();
            if !s.start_totp(op.id, &st.totp.seal(op.id, &secret)?)? {
                return Err(ApiError::Conflict {
                    code: ErrorCode::TotpEnrolled,
                    field: None,
                    message: "a second factor is enrolled; remove it before enrolling another".into(),
                });
            }
            Ok(TotpEnrolment {
                secret: secret.base32(),
                otpauth_uri: secret.otpauth_uri(ISSUER, &op.email),
            })
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(enrolment))
}

/// Confirm second-factor enrolment
///
/// Send the authenticator's current code for the secret from `POST /v1/me/totp`.
/// From then on, signing in needs a code too (sign in again to leave an
/// enrolment-only token behind). A wrong code is 422 `code`; 409
/// `totp_not_enrolled` when no enrolment was started.
#[utoipa::path(
    tag = "Sign-in",
    operation_id = "confirmTotpEnrolment",
    request_body = TotpCode,
    responses(
        (status = 204, description = "Confirmed"),
        Problems<(codes::TotpNotEnrolled, codes::ValidationFailed)>,
    ),
    security(("bearer" = []))
)]
#[post("/me/totp/confirm")]
pub async fn confirm_totp_enrolment(
    state: web::Data<AppState>,
    caller: EnrolmentCaller,
    body: StrictJson<TotpCode>,
) -> Result<HttpResponse, ApiError> {
    let st = state.clone();
    let now = state.clock.now();
    caller
        .0
        .db(&state, move |s, principal| -> Result<(), ApiError> {
            let op = operator(s, principal)?;
            let secrets = s.operator_secrets(op.id)?;
            let sealed = match (&secrets.totp_secret, secrets.totp_confirmed) {
                (Some(sealed), false) => sealed,
                _ => return Err(not_enrolled()),
            };
            let step = st
                .totp
                .open(op.id, sealed)?
                .step_of(&body.0.code, now)
                .ok_or_else(wrong_code)?;
            if !s.confirm_totp(&op, step, now, &audit_entry(principal))? {
                return Err(wrong_code());
            }
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Remove the second factor
///
/// Needs your password and a current code (each 422 naming its field when
/// wrong). Signing in then needs the password alone, unless an organisation
/// above you requires a second factor. 409 `totp_not_enrolled` when none is
/// confirmed.
#[utoipa::path(
    tag = "Sign-in",
    operation_id = "removeTotp",
    request_body = RemoveTotp,
    responses(
        (status = 204, description = "Removed"),
        Problems<(codes::TotpNotEnrolled, codes::ValidationFailed)>,
    ),
    security(("bearer" = []))
)]
#[delete("/me/totp")]
pub async fn remove_totp(
    state: web::Data<AppState>,
    caller: EnrolmentCaller,
    body: StrictJson<RemoveTotp>,
) -> Result<HttpResponse, ApiError> {
    let st = state.clone();
    let now = state.clock.now();
    caller
        .0
        .db(&state, move |s, principal| -> Result<(), ApiError> {
            let op = operator(s, principal)?;
            let secrets = s.operator_secrets(op.id)?;
            let sealed = match (&secrets.totp_secret, secrets.totp_confirmed) {
                (Some(sealed), true) => sealed,
                _ => return Err(not_enrolled()),
            };
            if !verify_password(&body.0.current_password, secrets.password_hash.as_deref())? {
                return Err(ApiError::invalid(
                    "current_password",
                    "wrong",
                    "current_password is not your current password",
                ));
            }
            let step = st
                .totp
                .open(op.id, sealed)?
                .step_of(&body.0.code, now)
                .ok_or_else(wrong_code)?;
            if !s.remove_totp(&op, step, &audit_entry(principal))? {
                return Err(wrong_code());
            }
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
