//! Password resets: `POST /v1/password-resets` mails a single-use link (always
//! 202, so it reveals no account); `POST /v1/password-resets/{token}` sets the
//! password with it. Invitation links (new operators, customer users) are
//! used the same way.

use actix_web::http::header;
use actix_web::{post, web, HttpResponse};
use chrono::Utc;
use domain::codes;
use domain::credentials::{credentials_changed_at, RESET_TTL};
use persistence::{Actor, AuditEntry, NewPasswordLink, PasswordLinkHolder, PasswordLinkPurpose};

use super::off_workers;
use super::view::{new_password, RequestPasswordReset, ResetPassword};
use crate::auth::hash_password;
use crate::error::ApiError;
use crate::extract::StrictJson;
use crate::mail::compose;
use crate::problems::Problems;
use crate::routes::onboarding::{activation_token, MAX_TOKEN_CHARS};
use crate::state::AppState;

/// Ask for a password-reset link
///
/// Public (rate limited per client address). When the e-mail names an operator
/// who may sign in, or an active customer user (customer portal), a link that
/// sets a new password is mailed to it; it works once, within an hour. The answer is 202 whether or not the e-mail names an
/// account.
#[utoipa::path(
    tag = "Sign-in",
    operation_id = "requestPasswordReset",
    request_body = RequestPasswordReset,
    responses(
        (status = 202, description = "If the e-mail names an account, a link is on its way"),
        Problems<(codes::RateLimited,)>,
    ),
    security(())
)]
#[post("/password-resets")]
pub async fn request_password_reset(
    state: web::Data<AppState>,
    body: StrictJson<RequestPasswordReset>,
) -> Result<HttpResponse, ApiError> {
    // A malformed address is refused (it names no account, so saying so reveals nothing).
    let email = domain::EmailAddress::parse(body.0.email.trim(), "email")?
        .as_str()
        .to_lowercase();
    let now = state.clock.now();
    let config = state.config.clone();
    state
        .db(move |s| -> Result<(), ApiError> {
            for op in s.operators_by_email(&email)?.into_iter().filter(|o| o.may_sign_in()) {
                let (token, token_hash) = activation_token();
                let link = NewPasswordLink {
                    holder: PasswordLinkHolder::Operator(op.id),
                    purpose: PasswordLinkPurpose::Reset,
                    token_hash,
                    expires_at: now + RESET_TTL,
                };
                let mail = compose::password_reset(
                    &op.email,
                    &op.name,
                    "partner portal",
                    &config.password_link(&token),
                    link.expires_at,
                );
                s.request_password_reset(&op, &link, &mail, now)?;
            }
            let users = s.customer_users_by_email(&email)?;
            for user in users
                .into_iter()
                .filter(|u| u.status == domain::CustomerUserStatus::Active && u.customer_status.is_operating())
            {
                let (token, token_hash) = activation_token();
                let link = NewPasswordLink {
                    holder: PasswordLinkHolder::CustomerUser(user.id),
                    purpose: PasswordLinkPurpose::Reset,
                    token_hash,
                    expires_at: now + RESET_TTL,
                };
                let mail = compose::password_reset(
                    &user.email,
                    &user.name,
                    "customer portal",
                    &config.password_link(&token),
                    link.expires_at,
                );
                let system = AuditEntry::by(Actor::System);
                s.send_customer_user_link(&user.customer_path, user.id, &link, &mail, now, &system)?;
            }
            Ok(())
        })
        .await?;
    Ok(HttpResponse::Accepted().finish())
}

/// Set a password with a link
///
/// Public (rate limited per client address). Sets the password of the account
/// a reset or invitation link was mailed for: 12 to 256 characters, not one of
/// the most common passwords. The link works once (of any number of uses at the
/// same moment exactly one succeeds); unknown, used and expired links all get
/// 404 `reset_link_not_found`. Every token issued to the account before is
/// revoked.
#[utoipa::path(
    tag = "Sign-in",
    operation_id = "resetPassword",
    request_body = ResetPassword,
    params(("token" = String, Path, description = "The token from the mailed link")),
    responses(
        (status = 204, description = "The password is set; sign in with it"),
        Problems<(codes::ResetLinkNotFound, codes::ValidationFailed, codes::RateLimited)>,
    ),
    security(())
)]
#[post("/password-resets/{token}")]
pub async fn reset_password(
    state: web::Data<AppState>,
    token: web::Path<String>,
    body: StrictJson<ResetPassword>,
) -> Result<HttpResponse, ApiError> {
    let password = new_password(&body.0.password, "password")?;
    let token = token.into_inner();
    if token.chars().count() > MAX_TOKEN_CHARS {
        return Err(ApiError::ResetLinkNotFound);
    }
    let hash = off_workers(move || hash_password(password.expose())).await?;
    let token_hash = crate::secrets::hash(&token);
    let now = state.clock.now();
    let holder = state
        .db(move |s| s.use_password_link(&token_hash, &hash, now, credentials_changed_at(Utc::now())))
        .await
        .map_err(|e| match e {
            ApiError::NotFound => ApiError::ResetLinkNotFound,
            other => other,
        })?;
    tracing::info!(?holder, "password set with a link");
    Ok(HttpResponse::NoContent()
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .finish())
}
