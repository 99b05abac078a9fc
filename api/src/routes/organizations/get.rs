use actix_web::{get, web, HttpResponse};
use domain::actions::ReadOrganizations;
use persistence::Organization;

use super::view::{present_one, OrganizationView};
use crate::error::ApiError;
use crate::guard::Guarded;
use crate::preconditions::tagged;
use crate::state::AppState;

/// Read an organisation
///
/// One organisation in your scope, with its partner path from your home
/// organisation down to it. The `ETag` header carries its version for `If-Match`.
#[utoipa::path(
    tag = "Organizations",
    operation_id = "getOrganization",
    params(("id" = Uuid, Path, description = "Organisation id")),
    responses(
        (status = 200, description = "The organisation", body = OrganizationView,
            headers(("ETag" = String, description = "The organisation's version"))),
    ),
    security(("bearer" = []))
)]
#[get("/organizations/{id}")]
pub async fn get_organization(
    state: web::Data<AppState>,
    org: Guarded<ReadOrganizations, Organization>,
) -> Result<HttpResponse, ApiError> {
    let (version, body) = org
        .db(&state, |s, principal, org| {
            Ok::<_, ApiError>((org.version, present_one(s, principal, org)?))
        })
        .await?;
    Ok(tagged(&mut HttpResponse::Ok(), version, body))
}
