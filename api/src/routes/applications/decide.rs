//! Deciding an application: approve or reject, once.

use actix_web::{post, web, HttpResponse};
use domain::actions::ReviewApplications;
use domain::codes;
use domain::onboarding::link_expiry;
use domain::Decision;
use persistence::{Application, Store};
use uuid::Uuid;

use super::view::{ApplicationView, RejectApplication};
use crate::auth::audit_entry;
use crate::error::ApiError;
use crate::extract::StrictJson;
use crate::guard::Guarded;
use crate::mail::compose;
use crate::problems::Problems;
use crate::routes::onboarding::activation_token;
use crate::state::AppState;

/// The programme's name, for the applicant's mail.
fn programme_name(store: &Store, programme: Uuid) -> Result<String, ApiError> {
    Ok(store.organization(programme)?.ok_or(ApiError::NotFound)?.name)
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
        Problems<(codes::ApplicationDecided, codes::ParentArchived)>,
    ),
    security(("bearer" = []))
)]
#[post("/applications/{id}/approve")]
pub async fn approve_application(
    state: web::Data<AppState>,
    guarded: Guarded<ReviewApplications, Application>,
) -> Result<HttpResponse, ApiError> {
    let now = state.clock.now();
    let expires_at = link_expiry(now, state.config.activation_ttl_hours);
    let (token, token_hash) = activation_token();
    let link = state.config.activation_link(&token);
    let approval = guarded
        .db(&state, move |s, principal, app| -> Result<_, ApiError> {
            app.status.decide(Decision::Approve)?;
            let programme = programme_name(s, app.programme_org_id)?;
            let mail = compose::application_approved(
                &app.email,
                &app.contact_name,
                &app.company_name,
                &programme,
                &link,
                expires_at,
            );
            let who = audit_entry(principal);
            Ok(s.approve_application(&principal.home_path, app.id, &token_hash, expires_at, &mail, now, &who)?)
        })
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
        Problems<(codes::ApplicationDecided,)>,
    ),
    security(("bearer" = []))
)]
#[post("/applications/{id}/reject")]
pub async fn reject_application(
    state: web::Data<AppState>,
    guarded: Guarded<ReviewApplications, Application>,
    body: StrictJson<RejectApplication>,
) -> Result<HttpResponse, ApiError> {
    let now = state.clock.now();
    let decided = guarded
        .db(&state, move |s, principal, app| -> Result<_, ApiError> {
            let reason = body.0.parse()?;
            app.status.decide(Decision::Reject)?;
            let programme = programme_name(s, app.programme_org_id)?;
            let mail = compose::application_rejected(
                &app.email,
                &app.contact_name,
                &app.company_name,
                &programme,
                reason.as_str(),
            );
            let who = audit_entry(principal);
            Ok(s.reject_application(&principal.home_path, app.id, &reason, &mail, now, &who)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(ApplicationView::from(decided)))
}
