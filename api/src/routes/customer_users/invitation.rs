//! Customer-portal invitations: an "activate your account" mail whose link
//! sets the user's first password (`POST /v1/password-resets/{token}`).

use actix_web::{post, web, HttpResponse};
use chrono::{DateTime, Utc};
use domain::actions::ManageCustomerUsers;
use domain::credentials::INVITATION_TTL;
use domain::{codes, CustomerUserStatus, DomainError, ErrorCode};
use persistence::{AuditEntry, CustomerUser, NewPasswordLink, PasswordLinkHolder, PasswordLinkPurpose, Store};

use crate::config::Config;
use crate::error::ApiError;
use crate::guard::Guarded;
use crate::mail::compose;
use crate::problems::Problems;
use crate::routes::onboarding::activation_token;
use crate::state::AppState;

/// Mails `user` an invitation with a new set-password link (7 days, once).
pub(crate) fn invite(
    s: &Store,
    config: &Config,
    scope: &domain::TreePath,
    user: &CustomerUser,
    customer_name: &str,
    now: DateTime<Utc>,
    who: &AuditEntry,
) -> Result<(), ApiError> {
    if user.status != CustomerUserStatus::Active {
        return Err(DomainError::conflict(
            ErrorCode::UserDisabled,
            None,
            "a disabled customer user cannot be invited; enable them first",
        )
        .into());
    }
    let (token, token_hash) = activation_token();
    let link = NewPasswordLink {
        holder: PasswordLinkHolder::CustomerUser(user.id),
        purpose: PasswordLinkPurpose::Invitation,
        token_hash,
        expires_at: now + INVITATION_TTL,
    };
    let mail = compose::customer_user_invitation(
        &user.email,
        &user.name,
        customer_name,
        &config.password_link(&token),
        link.expires_at,
    );
    s.send_customer_user_link(scope, user.id, &link, &mail, now, who)?;
    Ok(())
}

/// Invite a customer user to the customer portal
///
/// Mails the user an "activate your account" link that sets their password
/// (it works once and expires after 7 days; sending again leaves older links
/// usable until they expire). They then sign in with `POST
/// /v1/customer-sessions`. 409 `user_disabled` for a disabled user.
#[utoipa::path(
    tag = "Customer users",
    operation_id = "inviteCustomerUser",
    params(("id" = Uuid, Path, description = "Customer user id")),
    responses(
        (status = 202, description = "The invitation is queued"),
        Problems<(codes::UserDisabled,)>,
    ),
    security(("bearer" = []))
)]
#[post("/customer-users/{id}/invitation")]
pub async fn invite_customer_user(
    state: web::Data<AppState>,
    user: Guarded<ManageCustomerUsers, CustomerUser>,
) -> Result<HttpResponse, ApiError> {
    let config = state.config.clone();
    let now = state.clock.now();
    user.db(&state, move |s, principal, user| -> Result<(), ApiError> {
        let customer = s.organization(user.customer_id)?.ok_or(ApiError::NotFound)?;
        invite(
            s,
            &config,
            &principal.home_path,
            &user,
            &customer.name,
            now,
            &crate::auth::audit_entry(principal),
        )
    })
    .await?;
    Ok(HttpResponse::Accepted().finish())
}
