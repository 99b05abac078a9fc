use actix_web::{patch, web, HttpRequest, HttpResponse};
use domain::actions::UpdateOrganization as Update;
use domain::{codes, parse_all, Action, Country, DisplayName, TenantId, WorkEmail};
use persistence::{Organization, OrganizationPatch};

use super::view::{present_one, OrganizationView, UpdateOrganization};
use crate::auth::audit_entry;
use crate::error::ApiError;
use crate::extract::StrictJson;
use crate::guard::Guarded;
use crate::preconditions::{if_match, tagged};
use crate::problems::Problems;
use crate::state::AppState;

/// Update an organisation
///
/// Changes the name; for customers, the tenant id, contact e-mail and country; for
/// the others, whether their partner programme is open to applications.
/// Send the `ETag` you read as `If-Match`: if the organisation changed since, the
/// answer is 412 and nothing is written.
#[utoipa::path(
    tag = "Organizations",
    operation_id = "updateOrganization",
    request_body = UpdateOrganization,
    params(
        ("id" = Uuid, Path, description = "Organisation id"),
        ("If-Match" = Option<String>, Header, description = "The ETag you read; the update applies only if it is still current"),
    ),
    responses(
        (status = 200, description = "Updated", body = OrganizationView, headers(("ETag" = String, description = "The new version"))),
        Problems<(codes::Duplicate, codes::StaleVersion)>,
    ),
    security(("bearer" = []))
)]
#[patch("/organizations/{id}")]
pub async fn update_organization(
    state: web::Data<AppState>,
    org: Guarded<Update, Organization>,
    req: HttpRequest,
    body: StrictJson<UpdateOrganization>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req);
    let (version, body) = org
        .db(&state, move |s, principal, org| -> Result<_, ApiError> {
            let expected = expected?;
            let patch = parse(body.0)?;
            if patch.programme_open.is_some() {
                principal.authorize(Action::ManageProgramme)?;
            }
            let org = s.update_organization(&principal.home_path, org.id, expected, &patch, &audit_entry(principal))?;
            Ok((org.version, present_one(s, principal, org)?))
        })
        .await?;
    Ok(tagged(&mut HttpResponse::Ok(), version, body))
}

fn parse(body: UpdateOrganization) -> Result<OrganizationPatch, ApiError> {
    let name = body.name.as_deref().map(DisplayName::parse).transpose();
    let tenant_id = body
        .tenant_id
        .map(|v| v.as_deref().map(TenantId::parse).transpose())
        .transpose();
    let contact_email = body
        .contact_email
        .map(|v| v.as_deref().map(|e| WorkEmail::parse(e, "contact_email")).transpose())
        .transpose();
    let country = body
        .country
        .map(|v| v.as_deref().map(Country::parse).transpose())
        .transpose();
    let (name, tenant_id, contact_email, country) = parse_all((name, tenant_id, contact_email, country))?;
    Ok(OrganizationPatch {
        name,
        tenant_id,
        contact_email,
        country,
        programme_open: body.programme_open,
        require_totp: body.require_totp,
    })
}
