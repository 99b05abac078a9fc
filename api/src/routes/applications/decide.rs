//! Deciding an application: approve or reject, once.

use actix_web::{post, web, HttpResponse};
use domain::onboarding::link_expiry;
use domain::{Action, Decision};
use uuid::Uuid;

use super::access::visible;
use super::view::{ApplicationView, RejectApplication};
use crate::auth::{audit_entry, Authenticated};
use crate::error::{ApiError, Problem};
use crate::extract::StrictJson;
use crate::mail::compose;
use crate::routes::onboarding::activation_token;
use crate::state::AppState;

/// The programme's name, for the applicant's mail.
async fn programme_name(state: &AppState, programme: Uuid) -> Result<String, ApiError> {
    Ok(state
        .db(move |s| s.organization(programme))
        .await?
        .ok_or(ApiError::NotFound)?
        .name)
}

/// Approve an application
///
/// Creates a `pending` partner named after the company under the programme's
/// organisation and mails its activation link to the applicant, who accepts it to
/// become the partner's first admin; all in one step. An application is decided
/// once: approving or rejecting it again is a 409 `application_decided`.
#[utoipa::path(
    tag = "Applications",
    operation_id = "approveApplication",
    params(("id" = Uuid, Path, description = "Application id")),
    responses(
        (status = 200, description = "Approved; `partner_id` names the new partner", body = ApplicationView),
        (status = 403, description = "Only admins review applications", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such application in your scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already decided (`application_decided`), or the programme's organisation is archived", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/applications/{id}/approve")]
pub async fn approve_application(
    state: web::Data<AppState>,
    Authenticated(principal): Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let app = visible(&state, &principal, id.into_inner(), Action::ReviewApplications).await?;
    app.status.decide(Decision::Approve)?;
    let programme = programme_name(&state, app.programme_org_id).await?;
    let now = state.clock.now();
    let expires_at = link_expiry(now, state.config.activation_ttl_hours);
    let (token, token_hash) = activation_token();
    let mail = compose::application_approved(
        &app.email,
        &app.contact_name,
        &app.company_name,
        &programme,
        &state.config.activation_link(&token),
        expires_at,
    );
    let scope = principal.home_path.clone();
    let who = audit_entry(&principal);
    let approval = state
        .db(move |s| s.approve_application(&scope, app.id, &token_hash, expires_at, &mail, now, &who))
        .await?;
    Ok(HttpResponse::Ok().json(ApplicationView::from(approval.application)))
}

/// Reject an application
///
/// Records the decision and mails the applicant the reason. An application is
/// decided once: approving or rejecting it again is a 409 `application_decided`.
#[utoipa::path(
    tag = "Applications",
    operation_id = "rejectApplication",
    request_body = RejectApplication,
    params(("id" = Uuid, Path, description = "Application id")),
    responses(
        (status = 200, description = "Rejected", body = ApplicationView),
        (status = 403, description = "Only admins review applications", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such application in your scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already decided (`application_decided`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid `reason`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/applications/{id}/reject")]
pub async fn reject_application(
    state: web::Data<AppState>,
    Authenticated(principal): Authenticated,
    id: web::Path<Uuid>,
    body: StrictJson<RejectApplication>,
) -> Result<HttpResponse, ApiError> {
    let app = visible(&state, &principal, id.into_inner(), Action::ReviewApplications).await?;
    let reason = body.0.parse()?;
    app.status.decide(Decision::Reject)?;
    let programme = programme_name(&state, app.programme_org_id).await?;
    let mail = compose::application_rejected(
        &app.email,
        &app.contact_name,
        &app.company_name,
        &programme,
        reason.as_str(),
    );
    let now = state.clock.now();
    let scope = principal.home_path.clone();
    let who = audit_entry(&principal);
    let decided = state
        .db(move |s| s.reject_application(&scope, app.id, &reason, &mail, now, &who))
        .await?;
    Ok(HttpResponse::Ok().json(ApplicationView::from(decided)))
}
