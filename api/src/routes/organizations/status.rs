//! Status changes: suspend, reactivate, archive.

use actix_web::{post, web, HttpResponse};
use domain::{Action, Principal, StatusChange};
use uuid::Uuid;

use super::access::visible;
use super::view::{present_one, OrganizationView};
use crate::auth::{audit_entry, Authenticated};
use crate::error::{ApiError, Problem};
use crate::preconditions::tagged;
use crate::state::AppState;

async fn change(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    change: StatusChange,
) -> Result<HttpResponse, ApiError> {
    visible(state, principal, id, Action::ChangeOrganizationStatus).await?;
    let scope = principal.home_path.clone();
    let who = audit_entry(principal);
    let org = state
        .db(move |s| s.change_organization_status(&scope, id, change, &who))
        .await?;
    let version = org.version;
    let body = present_one(state, principal, org).await?;
    Ok(tagged(&mut HttpResponse::Ok(), version, body))
}

/// Suspend an organisation
///
/// An `active` organisation becomes `suspended`: its operators can no longer sign
/// in. Its subtree keeps its own statuses.
#[utoipa::path(
    tag = "Organizations",
    operation_id = "suspendOrganization",
    params(("id" = Uuid, Path, description = "Organisation id")),
    responses(
        (status = 200, description = "Suspended", body = OrganizationView),
        (status = 403, description = "Your roles do not allow status changes", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organisation in your scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not active, or the provider root", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/organizations/{id}/suspend")]
pub async fn suspend_organization(
    state: web::Data<AppState>,
    Authenticated(principal): Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    change(&state, &principal, id.into_inner(), StatusChange::Suspend).await
}

/// Reactivate an organisation
///
/// A `suspended` organisation becomes `active` again.
#[utoipa::path(
    tag = "Organizations",
    operation_id = "reactivateOrganization",
    params(("id" = Uuid, Path, description = "Organisation id")),
    responses(
        (status = 200, description = "Active again", body = OrganizationView),
        (status = 403, description = "Your roles do not allow status changes", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organisation in your scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not suspended", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/organizations/{id}/reactivate")]
pub async fn reactivate_organization(
    state: web::Data<AppState>,
    Authenticated(principal): Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    change(&state, &principal, id.into_inner(), StatusChange::Reactivate).await
}

/// Archive an organisation
///
/// Ends an organisation's life. Nothing is deleted: the record stays readable for
/// audit, and a customer's domain is never available again. Its children must be
/// archived (or moved) first. Archived organisations are left out of subtree
/// listings unless asked for with `status=archived`.
#[utoipa::path(
    tag = "Organizations",
    operation_id = "archiveOrganization",
    params(("id" = Uuid, Path, description = "Organisation id")),
    responses(
        (status = 200, description = "Archived", body = OrganizationView),
        (status = 403, description = "Your roles do not allow status changes", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organisation in your scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already archived, has live children, or is the provider root", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/organizations/{id}/archive")]
pub async fn archive_organization(
    state: web::Data<AppState>,
    Authenticated(principal): Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    change(&state, &principal, id.into_inner(), StatusChange::Archive).await
}
