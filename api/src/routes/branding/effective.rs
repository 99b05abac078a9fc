//! The brand in force for an organisation, and the public brand of a sign-in page.

use actix_web::http::header;
use actix_web::{get, web, HttpResponse};
use domain::actions::ReadBranding;
use domain::{codes, PortalDomain};
use persistence::Organization;

use super::view::{EffectiveBrandView, PublicBrandView};
use crate::error::ApiError;
use crate::guard::Guarded;
use crate::problems::Problems;
use crate::state::AppState;

/// Read the brand in force
///
/// The organisation's own brand, else the nearest ancestor's (up to the
/// provider's), else the built-in default. `source` says which, and
/// `inherited_from` names the organisation an inherited brand belongs to. One
/// lookup whatever the depth: the ancestors are in the organisation's path.
#[utoipa::path(
    tag = "Branding",
    operation_id = "getEffectiveBranding",
    params(("id" = Uuid, Path, description = "Organisation id")),
    responses(
        (status = 200, description = "The brand in force", body = EffectiveBrandView),
    ),
    security(("bearer" = []))
)]
#[get("/organizations/{id}/branding/effective")]
pub async fn get_effective_branding(
    state: web::Data<AppState>,
    org: Guarded<ReadBranding, Organization>,
) -> Result<HttpResponse, ApiError> {
    let view = org
        .db(&state, |s, _, org| {
            s.effective_brand(&org.path)
                .map(|found| EffectiveBrandView::new(org.id, found))
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Read the brand of a sign-in page
///
/// Public (no token; rate limited per client address): the brand whose
/// `portal_domain` is this host, for a sign-in page served on it. It carries no
/// ids and no e-mail address but the support address.
#[utoipa::path(
    tag = "Branding",
    operation_id = "getPublicBrand",
    params(("portal_domain" = String, Path, description = "The host the sign-in page is served on, e.g. `portal.fabrikam.example`")),
    responses(
        (status = 200, description = "The brand", body = PublicBrandView,
            headers(("Cache-Control" = String, description = "Cacheable for five minutes"))),
        Problems<(codes::NotFound, codes::RateLimited, codes::Unavailable)>,
    ),
    security(())
)]
#[get("/brands/{portal_domain}")]
pub async fn get_public_brand(state: web::Data<AppState>, domain: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let domain = PortalDomain::parse(&domain).map_err(|_| ApiError::NotFound)?;
    let brand = state
        .db(move |s| s.brand_by_domain(domain.as_str()))
        .await?
        .ok_or(ApiError::NotFound)?;
    let domain = brand.portal_domain.clone().unwrap_or_default();
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, super::logo::PUBLIC_CACHE))
        .json(PublicBrandView::new(domain, brand)))
}
