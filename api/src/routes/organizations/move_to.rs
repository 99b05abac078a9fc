use actix_web::{post, web, HttpResponse};
use domain::actions::MoveOrganization as Move;
use domain::codes;
use persistence::Organization;

use super::view::{present_one, MoveOrganization, OrganizationView};
use crate::auth::audit_entry;
use crate::error::ApiError;
use crate::extract::StrictJson;
use crate::guard::Guarded;
use crate::preconditions::tagged;
use crate::problems::Problems;
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
        Problems<(
            codes::ReferenceNotFound,
            codes::RootCannotMove,
            codes::MoveIntoOwnSubtree,
            codes::ParentArchived,
            codes::Archived,
        )>,
    ),
    security(("bearer" = []))
)]
#[post("/organizations/{id}/move")]
pub async fn move_organization(
    state: web::Data<AppState>,
    org: Guarded<Move, Organization>,
    body: StrictJson<MoveOrganization>,
) -> Result<HttpResponse, ApiError> {
    let parent = body.0.parent_id;
    let (version, body) = org
        .db(&state, move |s, principal, org| -> Result<_, ApiError> {
            let org = s.move_organization(&principal.home_path, org.id, parent, &audit_entry(principal))?;
            Ok((org.version, present_one(s, principal, org)?))
        })
        .await?;
    Ok(tagged(&mut HttpResponse::Ok(), version, body))
}
