//! Brand logos: uploaded as raw `image/png` or `image/jpeg` bodies, stored in
//! the database, served with their content type, a strong ETag (the SHA-256 of
//! the bytes) and `Cache-Control`; `If-None-Match` answers 304.

use actix_web::http::header;
use actix_web::{delete, get, put, web, HttpMessage, HttpRequest, HttpResponse};
use domain::actions::{ManageBranding, ReadBranding};
use domain::{codes, Logo, LogoType, PortalDomain};
use persistence::{Organization, StoredLogo};

use crate::auth::audit_entry;
use crate::error::ApiError;
use crate::extract::read_body;
use crate::guard::Guarded;
use crate::problems::Problems;
use crate::state::AppState;

/// Logos behind a token: caches keep them per user and revalidate by ETag.
const PRIVATE_CACHE: &str = "private, no-cache";
/// Public brands and logos: shared caches may keep them for five minutes.
pub const PUBLIC_CACHE: &str = "public, max-age=300";

/// Whether `If-None-Match` names the logo's current tag (or `*`).
fn not_modified(req: &HttpRequest, tag: &str) -> bool {
    req.headers()
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == "*" || t == tag)
}

/// The logo, or 304 when the client's copy is current.
fn serve(req: &HttpRequest, logo: StoredLogo, cache: &'static str) -> HttpResponse {
    let tag = format!("\"{}\"", logo.digest);
    if not_modified(req, &tag) {
        return HttpResponse::NotModified()
            .insert_header((header::ETAG, tag))
            .insert_header((header::CACHE_CONTROL, cache))
            .finish();
    }
    HttpResponse::Ok()
        .content_type(logo.content_type)
        .insert_header((header::ETAG, tag))
        .insert_header((header::CACHE_CONTROL, cache))
        .body(logo.bytes)
}

/// Read an organisation's logo
///
/// The logo of the organisation's own brand, as uploaded. Send the `ETag` as
/// `If-None-Match` to get 304 while it is unchanged.
#[utoipa::path(
    tag = "Branding",
    operation_id = "getBrandingLogo",
    params(
        ("id" = Uuid, Path, description = "Organisation id"),
        ("If-None-Match" = Option<String>, Header, description = "An ETag you hold; 304 if it is still current"),
    ),
    responses(
        (status = 200, description = "The logo", content((Vec<u8> = "image/png"), (Vec<u8> = "image/jpeg")),
            headers(("ETag" = String, description = "Strong: the SHA-256 of the bytes"), ("Cache-Control" = String))),
        (status = 304, description = "Your copy is current"),
    ),
    security(("bearer" = []))
)]
#[get("/organizations/{id}/branding/logo")]
pub async fn get_branding_logo(
    state: web::Data<AppState>,
    org: Guarded<ReadBranding, Organization>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let logo = org
        .db(&state, |s, _, org| -> Result<_, ApiError> {
            s.brand_logo(org.id)?.ok_or(ApiError::NotFound)
        })
        .await?;
    Ok(serve(&req, logo, PRIVATE_CACHE))
}

/// Read the logo in force
///
/// The logo of the brand in force for the organisation (see
/// `getEffectiveBranding`), which may be an ancestor's.
#[utoipa::path(
    tag = "Branding",
    operation_id = "getEffectiveBrandingLogo",
    params(
        ("id" = Uuid, Path, description = "Organisation id"),
        ("If-None-Match" = Option<String>, Header, description = "An ETag you hold; 304 if it is still current"),
    ),
    responses(
        (status = 200, description = "The logo", content((Vec<u8> = "image/png"), (Vec<u8> = "image/jpeg")),
            headers(("ETag" = String, description = "Strong: the SHA-256 of the bytes"), ("Cache-Control" = String))),
        (status = 304, description = "Your copy is current"),
    ),
    security(("bearer" = []))
)]
#[get("/organizations/{id}/branding/effective/logo")]
pub async fn get_effective_branding_logo(
    state: web::Data<AppState>,
    org: Guarded<ReadBranding, Organization>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let logo = org
        .db(&state, |s, _, org| -> Result<_, ApiError> {
            let brand = s.effective_brand(&org.path)?.ok_or(ApiError::NotFound)?;
            s.brand_logo(brand.organization_id)?.ok_or(ApiError::NotFound)
        })
        .await?;
    Ok(serve(&req, logo, PRIVATE_CACHE))
}

/// Read a sign-in page's logo
///
/// Public (no token; rate limited): the logo of the brand served on this host.
#[utoipa::path(
    tag = "Branding",
    operation_id = "getPublicBrandLogo",
    params(
        ("portal_domain" = String, Path, description = "The host the sign-in page is served on"),
        ("If-None-Match" = Option<String>, Header, description = "An ETag you hold; 304 if it is still current"),
    ),
    responses(
        (status = 200, description = "The logo", content((Vec<u8> = "image/png"), (Vec<u8> = "image/jpeg")),
            headers(("ETag" = String, description = "Strong: the SHA-256 of the bytes"), ("Cache-Control" = String))),
        (status = 304, description = "Your copy is current"),
        Problems<(codes::NotFound, codes::RateLimited, codes::Unavailable)>,
    ),
    security(())
)]
#[get("/brands/{portal_domain}/logo")]
pub async fn get_public_brand_logo(
    state: web::Data<AppState>,
    req: HttpRequest,
    domain: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let domain = PortalDomain::parse(&domain).map_err(|_| ApiError::NotFound)?;
    let logo = state
        .db(move |s| -> Result<_, ApiError> {
            let brand = s.brand_by_domain(domain.as_str())?.ok_or(ApiError::NotFound)?;
            s.brand_logo(brand.organization_id)?.ok_or(ApiError::NotFound)
        })
        .await?;
    Ok(serve(&req, logo, PUBLIC_CACHE))
}

/// Upload an organisation's logo
///
/// The body is the image itself, `image/png` or `image/jpeg` (SVG is refused:
/// it can carry script), at most 256 KiB (413) and 2048×2048 pixels. The bytes
/// must be the declared type (422 `logo` `type_mismatch`); the dimensions are
/// read from the image's header (422 `logo` `dimensions`). Replaces any previous
/// logo. Admins only; audited.
#[utoipa::path(
    tag = "Branding",
    operation_id = "putBrandingLogo",
    params(("id" = Uuid, Path, description = "Organisation id")),
    request_body(content((Vec<u8> = "image/png"), (Vec<u8> = "image/jpeg")), description = "The image (`image/png` or `image/jpeg`)"),
    responses(
        (status = 204, description = "Stored"),
        Problems<(codes::ValidationFailed, codes::CustomerHasNoBrand)>,
    ),
    security(("bearer" = []))
)]
#[put("/organizations/{id}/branding/logo")]
pub async fn put_branding_logo(
    state: web::Data<AppState>,
    org: Guarded<ManageBranding, Organization>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let declared = match req.mime_type() {
        Ok(Some(m)) => LogoType::from_mime(m.essence_str()),
        _ => None,
    }
    .ok_or(ApiError::UnsupportedMediaType {
        expected: "image/png or image/jpeg",
    })?;
    let body = read_body(payload, Logo::MAX_BYTES).await?;
    org.db(&state, move |s, principal, org| -> Result<_, ApiError> {
        let logo = Logo::parse(declared, body.to_vec())?;
        Ok(s.put_brand_logo(&principal.home_path, org.id, &logo, &audit_entry(principal))?)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Remove an organisation's logo
///
/// Admins only; audited.
#[utoipa::path(
    tag = "Branding",
    operation_id = "deleteBrandingLogo",
    params(("id" = Uuid, Path, description = "Organisation id")),
    responses(
        (status = 204, description = "Removed"),
        Problems<(codes::CustomerHasNoBrand,)>,
    ),
    security(("bearer" = []))
)]
#[delete("/organizations/{id}/branding/logo")]
pub async fn delete_branding_logo(
    state: web::Data<AppState>,
    org: Guarded<ManageBranding, Organization>,
) -> Result<HttpResponse, ApiError> {
    org.db(&state, |s, principal, org| {
        s.delete_brand_logo(&principal.home_path, org.id, &audit_entry(principal))
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
