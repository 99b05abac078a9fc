use actix_web::{http::header, post, web, HttpResponse};
use domain::{codes, parse_all, Action, CustomerDetails, CustomerInput, DisplayName, OrgKind};
use persistence::NewOrganization;

use super::view::{present_one, CreateOrganization, OrganizationView};
use crate::auth::{audit_entry, Authenticated};
use crate::error::ApiError;
use crate::extract::StrictJson;
use crate::problems::Problems;
use crate::state::AppState;

/// Create an organisation
///
/// Creates a distributor, partner or customer under `parent_id`, which must be in
/// your scope and allowed for the kind (distributor under the provider; partner
/// under the provider, a distributor or a partner; customer under a distributor or
/// a partner). New organisations are `pending` until activated. A customer needs a
/// `primary_domain`.
#[utoipa::path(
    tag = "Organizations",
    operation_id = "createOrganization",
    request_body = CreateOrganization,
    responses(
        (status = 201, description = "Created", body = OrganizationView,
            headers(("Location" = String, description = "URL of the new organisation"), ("ETag" = String, description = "Its version"))),
        Problems<(
            codes::ReferenceNotFound,
            codes::NotFound,
            codes::Duplicate,
            codes::ParentArchived,
        )>,
    ),
    security(("bearer" = []))
)]
#[post("/organizations")]
pub async fn create_organization(
    state: web::Data<AppState>,
    caller: Authenticated,
    body: StrictJson<CreateOrganization>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let (id, version, view) = caller
        .db(&state, move |s, principal| -> Result<_, ApiError> {
            // Like a record in the path, an invisible parent is 404 (here: of the
            // field) before the roles are looked at, so a 403 never reveals that it exists.
            s.organization(body.parent_id)?
                .filter(|o| principal.can_see(&o.path))
                .ok_or(ApiError::ReferenceNotFound { field: "parent_id" })?;
            principal.authorize(Action::CreateOrganization)?;
            let new = parse(&body)?;
            let org = s.create_organization(&principal.home_path, &new, &audit_entry(principal))?;
            Ok((org.id, org.version, present_one(s, principal, org)?))
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/v1/organizations/{id}")))
        .insert_header((header::ETAG, crate::preconditions::etag(version)))
        .json(view))
}

/// Parses every field, reporting all bad ones at once.
fn parse(body: &CreateOrganization) -> Result<NewOrganization, ApiError> {
    let kind = OrgKind::from(body.kind);
    let customer = CustomerInput {
        primary_domain: body.primary_domain.as_deref(),
        tenant_id: body.tenant_id.as_deref(),
        contact_email: body.contact_email.as_deref(),
        country: body.country.as_deref(),
    };
    let (name, customer) = parse_all((
        DisplayName::parse(&body.name),
        CustomerDetails::parse_for(kind, &customer),
    ))?;
    Ok(NewOrganization {
        parent_id: body.parent_id,
        kind,
        name,
        customer,
    })
}
