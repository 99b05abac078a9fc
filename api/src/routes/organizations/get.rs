use actix_web::{get, web, HttpResponse};
use domain::Action;
use uuid::Uuid;

use super::access::visible;
use super::view::{present_one, OrganizationView};
use crate::auth::Authenticated;
use crate::error::{ApiError, Problem};
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
        (status = 404, description = "No such organisation in your scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/organizations/{id}")]
pub async fn get_organization(
    state: web::Data<AppState>,
    Authenticated(principal): Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let org = visible(&state, &principal, id.into_inner(), Action::ReadOrganizations).await?;
    let version = org.version;
    let body = present_one(&state, &principal, org).await?;
    Ok(tagged(&mut HttpResponse::Ok(), version, body))
}
