use actix_web::{http::header, post, web, HttpRequest, HttpResponse};
use domain::{codes, parse_all, Action, CustomerDetails, CustomerInput, DisplayName, OrgKind};
use persistence::{IdempotencyClaim, NewOrganization};
use sha2::{Digest, Sha256};

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
/// `primary_domain`. Send an `Idempotency-Key` header to make retries safe: a
/// repeated key with the same body returns the organisation created the first time.
#[utoipa::path(
    tag = "Organizations",
    operation_id = "createOrganization",
    request_body = CreateOrganization,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries of this create safe (up to 200 characters)")),
    responses(
        (status = 201, description = "Created", body = OrganizationView,
            headers(("Location" = String, description = "URL of the new organisation"), ("ETag" = String, description = "Its version"))),
        Problems<(
            codes::ReferenceNotFound,
            codes::NotFound,
            codes::Duplicate,
            codes::ParentArchived,
            codes::IdempotencyKeyInUse,
        )>,
    ),
    security(("bearer" = []))
)]
#[post("/organizations")]
pub async fn create_organization(
    state: web::Data<AppState>,
    caller: Authenticated,
    req: HttpRequest,
    body: StrictJson<CreateOrganization>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let key = idempotency_key(&req);
    let (id, version, view) = caller
        .db(&state, move |s, principal| -> Result<_, ApiError> {
            // Like a record in the path, an invisible parent is 404 (here: of the
            // field) before the roles are looked at, so a 403 never reveals that it exists.
            s.organization(body.parent_id)?
                .filter(|o| principal.can_see(&o.path))
                .ok_or(ApiError::ReferenceNotFound { field: "parent_id" })?;
            principal.authorize(Action::CreateOrganization)?;
            let new = parse(&body)?;
            let claim = key?.map(|key| idempotency_claim(key, principal.id, &body));
            if let Some(claim) = &claim {
                if let Some(earlier) = s.idempotent_result(claim.principal_id, &claim.key)? {
                    if earlier.request_hash != claim.request_hash {
                        return Err(ApiError::invalid(
                            "Idempotency-Key",
                            "idempotency_key_reused",
                            "this key was used with a different request body",
                        ));
                    }
                    let org = s
                        .organization(earlier.resource_id)?
                        .filter(|o| principal.can_see(&o.path))
                        .ok_or(ApiError::NotFound)?;
                    return Ok((org.id, org.version, present_one(s, principal, org)?));
                }
            }
            let org = s.create_organization(&principal.home_path, &new, &audit_entry(principal), claim.as_ref())?;
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

/// The `Idempotency-Key` header, if sent and well formed.
fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(raw) = req.headers().get("Idempotency-Key") else {
        return Ok(None);
    };
    let key = raw
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 200)
        .ok_or_else(|| {
            ApiError::invalid(
                "Idempotency-Key",
                "invalid_value",
                "must be 1 to 200 visible ASCII characters",
            )
        })?;
    Ok(Some(key.to_string()))
}

fn idempotency_claim(key: String, principal_id: uuid::Uuid, body: &CreateOrganization) -> IdempotencyClaim {
    let canonical = format!(
        "{}|{}|{}|{:?}|{:?}|{:?}|{:?}",
        body.parent_id,
        OrgKind::from(body.kind).as_str(),
        body.name,
        body.primary_domain,
        body.tenant_id,
        body.contact_email,
        body.country
    );
    IdempotencyClaim {
        principal_id,
        key,
        request_hash: format!("{:x}", Sha256::digest(canonical.as_bytes())),
    }
}
