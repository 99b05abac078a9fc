use actix_web::{post, web, HttpResponse};
use domain::Action;
use uuid::Uuid;

use super::access::visible;
use super::view::{present_one, MoveOrganization, OrganizationView};
use crate::auth::{audit_entry, Authenticated};
use crate::error::{ApiError, Problem};
use crate::extract::StrictJson;
use crate::preconditions::tagged;
use crate::state::AppState;

/// Move an organisation
///
/// Re-parents an organisation, with its whole subtree, under another organisation
/// in your scope. The new parent must be allowed for its kind, must not be archived,
/// and must not lie inside the moved subtree. The provider root never moves.
#[utoipa::path(
    tag = "Organizations",
    operation_id = "moveOrganization",
    request_body = MoveOrganization,
    params(("id" = Uuid, Path, description = "Organisation id")),
    responses(
        (status = 200, description = "Moved", body = OrganizationView),
        (status = 403, description = "Your roles do not allow moving organisations", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The organisation or the new parent is not in your scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The move would create a cycle, the parent is archived, or this is the root", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The new parent may not hold this kind", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/organizations/{id}/move")]
pub async fn move_organization(
    state: web::Data<AppState>,
    Authenticated(principal): Authenticated,
    id: web::Path<Uuid>,
    body: StrictJson<MoveOrganization>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    visible(&state, &principal, id, Action::MoveOrganization).await?;
    let scope = principal.home_path.clone();
    let who = audit_entry(&principal);
    let parent = body.0.parent_id;
    let org = state.db(move |s| s.move_organization(&scope, id, parent, &who)).await?;
    let version = org.version;
    let body = present_one(&state, &principal, org).await?;
    Ok(tagged(&mut HttpResponse::Ok(), version, body))
}
