//! An organisation's own brand: read, set (whole), remove.

use actix_web::{delete, get, put, web, HttpRequest, HttpResponse};
use domain::actions::{ManageBranding, ReadBranding};
use domain::{codes, BrandInput, RawBrand};
use persistence::Organization;

use super::view::{BrandView, PutBrand};
use crate::auth::audit_entry;
use crate::error::ApiError;
use crate::extract::StrictJson;
use crate::guard::Guarded;
use crate::preconditions::{if_match, tagged};
use crate::problems::Problems;
use crate::state::AppState;

/// Read an organisation's own brand
///
/// The brand the organisation set itself (404 if it has none: see
/// `getEffectiveBranding` for the brand in force). The `ETag` header carries
/// its version for `If-Match`.
#[utoipa::path(
    tag = "Branding",
    operation_id = "getBranding",
    params(("id" = Uuid, Path, description = "Organisation id")),
    responses(
        (status = 200, description = "The brand", body = BrandView,
            headers(("ETag" = String, description = "The brand's version"))),
    ),
    security(("bearer" = []))
)]
#[get("/organizations/{id}/branding")]
pub async fn get_branding(
    state: web::Data<AppState>,
    org: Guarded<ReadBranding, Organization>,
) -> Result<HttpResponse, ApiError> {
    let brand = org
        .db(&state, |s, _, org| -> Result<_, ApiError> {
            s.brand(org.id)?.ok_or(ApiError::NotFound)
        })
        .await?;
    Ok(tagged(&mut HttpResponse::Ok(), brand.version, BrandView::from(brand)))
}

/// Set an organisation's brand
///
/// Creates or replaces the organisation's own brand; everything below it that
/// has no brand of its own shows it. Colours are `#RRGGBB`; `portal_domain` is a
/// lowercase host name unique across the tree (409 `duplicate` when taken);
/// `support_url` is `https`. Customers have no brand of their own. Admins only;
/// audited. Send the `ETag` you read as `If-Match` to replace a brand safely.
#[utoipa::path(
    tag = "Branding",
    operation_id = "putBranding",
    request_body = PutBrand,
    params(
        ("id" = Uuid, Path, description = "Organisation id"),
        ("If-Match" = Option<String>, Header, description = "The ETag you read; the change applies only if it is still current"),
    ),
    responses(
        (status = 200, description = "The brand as set", body = BrandView,
            headers(("ETag" = String, description = "The new version"))),
        Problems<(codes::Duplicate, codes::StaleVersion, codes::CustomerHasNoBrand)>,
    ),
    security(("bearer" = []))
)]
#[put("/organizations/{id}/branding")]
pub async fn put_branding(
    state: web::Data<AppState>,
    org: Guarded<ManageBranding, Organization>,
    req: HttpRequest,
    body: StrictJson<PutBrand>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req);
    let body = body.0;
    let brand = org
        .db(&state, move |s, principal, org| -> Result<_, ApiError> {
            let expected = expected?;
            let input = BrandInput::parse(&RawBrand {
                display_name: &body.display_name,
                primary_color: body.primary_color.as_deref(),
                accent_color: body.accent_color.as_deref(),
                support_email: body.support_email.as_deref(),
                support_url: body.support_url.as_deref(),
                portal_domain: body.portal_domain.as_deref(),
            })?;
            Ok(s.put_brand(&principal.home_path, org.id, expected, &input, &audit_entry(principal))?)
        })
        .await?;
    Ok(tagged(&mut HttpResponse::Ok(), brand.version, BrandView::from(brand)))
}

/// Remove an organisation's brand
///
/// Removes the brand and its logo; the organisation and everything below it
/// then show the nearest brand above. Admins only; audited.
#[utoipa::path(
    tag = "Branding",
    operation_id = "deleteBranding",
    params(
        ("id" = Uuid, Path, description = "Organisation id"),
        ("If-Match" = Option<String>, Header, description = "The ETag you read; the removal applies only if it is still current"),
    ),
    responses(
        (status = 204, description = "Removed"),
        Problems<(codes::StaleVersion, codes::CustomerHasNoBrand)>,
    ),
    security(("bearer" = []))
)]
#[delete("/organizations/{id}/branding")]
pub async fn delete_branding(
    state: web::Data<AppState>,
    org: Guarded<ManageBranding, Organization>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req);
    org.db(&state, move |s, principal, org| -> Result<_, ApiError> {
        Ok(s.delete_brand(&principal.home_path, org.id, expected?, &audit_entry(principal))?)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
