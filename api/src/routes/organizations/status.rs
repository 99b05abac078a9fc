//! Status changes: suspend, reactivate, archive.

use actix_web::{post, web, HttpResponse};
use domain::actions::ChangeOrganizationStatus as ChangeStatus;
use domain::{codes, StatusChange};
use persistence::Organization;

use super::view::{present_one, OrganizationView};
use crate::auth::audit_entry;
use crate::error::ApiError;
use crate::guard::Guarded;
use crate::preconditions::tagged;
use crate::problems::Problems;
use crate::state::AppState;

/// The organisation whose status a caller may change.
type Target = Guarded<ChangeStatus, Organization>;

async fn change(state: &AppState, target: Target, change: StatusChange) -> Result<HttpResponse, ApiError> {
    let (version, body) = target
        .db(state, move |s, principal, org| -> Result<_, ApiError> {
            let org = s.change_organization_status(&principal.home_path, org.id, change, &audit_entry(principal))?;
            Ok((org.version, present_one(s, principal, org)?))
        })
        .await?;
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
        Problems<(codes::RootStatusFixed, codes::InvalidStatusTransition)>,
    ),
    security(("bearer" = []))
)]
#[post("/organizations/{id}/suspend")]
pub async fn suspend_organization(state: web::Data<AppState>, org: Target) -> Result<HttpResponse, ApiError> {
    change(&state, org, StatusChange::Suspend).await
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
        Problems<(codes::RootStatusFixed, codes::InvalidStatusTransition)>,
    ),
    security(("bearer" = []))
)]
#[post("/organizations/{id}/reactivate")]
pub async fn reactivate_organization(state: web::Data<AppState>, org: Target) -> Result<HttpResponse, ApiError> {
    change(&state, org, StatusChange::Reactivate).await
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
        Problems<(codes::RootStatusFixed, codes::InvalidStatusTransition, codes::HasChildren)>,
    ),
    security(("bearer" = []))
)]
#[post("/organizations/{id}/archive")]
pub async fn archive_organization(state: web::Data<AppState>, org: Target) -> Result<HttpResponse, ApiError> {
    change(&state, org, StatusChange::Archive).await
}
