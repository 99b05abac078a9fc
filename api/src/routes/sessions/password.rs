//! `PUT /v1/me/password`: change your own password.

use actix_web::{put, web, HttpResponse};
use chrono::Utc;
use domain::credentials::credentials_changed_at;
use domain::{codes, PrincipalKind};

use super::off_workers;
use super::view::{new_password, ChangePassword};
use crate::auth::{audit_entry, hash_password, verify_password, Authenticated};
use crate::error::ApiError;
use crate::extract::StrictJson;
use crate::problems::Problems;
use crate::state::AppState;

/// Change your password
///
/// For operators. Needs the current password (422 `current_password` when it is
/// wrong, and for API clients, which have none; an operator without a password
/// sets one through `/v1/password-resets`).
/// The new one has 12 to 256 characters and is not one of the most common
/// passwords. Every token issued before the change stops working, this one
/// included: sign in again.
#[utoipa::path(
    tag = "Sign-in",
    operation_id = "changePassword",
    request_body = ChangePassword,
    responses(
        (status = 204, description = "Changed; sign in again"),
        Problems<(codes::ValidationFailed,)>,
    ),
    security(("bearer" = []))
)]
#[put("/me/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    caller: Authenticated,
    body: StrictJson<ChangePassword>,
) -> Result<HttpResponse, ApiError> {
    let ChangePassword {
        current_password,
        new_password: raw,
    } = body.0;
    let checked = new_password(&raw, "new_password");
    // Hashing the new password needs nothing from the database: done before the trip.
    let new_hash = match &checked {
        Ok(p) => {
            let p = p.clone();
            Some(off_workers(move || hash_password(p.expose())).await?)
        }
        Err(_) => None,
    };
    caller
        .db(&state, move |s, principal| -> Result<(), ApiError> {
            checked?;
            let wrong = || {
                ApiError::invalid(
                    "current_password",
                    "wrong",
                    "current_password is not your current password",
                )
            };
            // API clients have no password: the same answer as a wrong one.
            let op = match principal.kind {
                PrincipalKind::Operator => s.operator(principal.id)?.ok_or_else(wrong)?,
                PrincipalKind::ApiClient => return Err(wrong()),
            };
            let stored = s.operator_secrets(op.id)?.password_hash;
            if stored.is_none() || !verify_password(&current_password, stored.as_deref())? {
                return Err(wrong());
            }
            let hash = new_hash.ok_or_else(|| ApiError::Internal("no new hash".into()))?;
            s.change_operator_password(&op, &hash, credentials_changed_at(Utc::now()), &audit_entry(principal))?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
