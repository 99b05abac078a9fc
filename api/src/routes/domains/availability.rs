use actix_web::{get, head, web, HttpResponse};
use domain::{codes, TenantDomain};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::problems::Problems;
use crate::state::AppState;

#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Unavailable {
    /// Not of the form `<prefix>.onmicrosoft.com` with a Latin-letters-and-digits prefix.
    Invalid,
    /// Used by a customer, now or ever (domains are never reused).
    Taken,
    /// A prefix the portal never hands out.
    Reserved,
}

/// Whether a domain can be given to a new customer.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"domain": "contoso.onmicrosoft.com", "available": false, "reason": "taken"}))]
pub struct DomainAvailability {
    pub domain: String,
    pub available: bool,
    /// Why it is not available; null when it is.
    pub reason: Option<Unavailable>,
}

async fn check(state: &AppState, raw: String) -> Result<DomainAvailability, ApiError> {
    let Ok(domain) = TenantDomain::parse(&raw, "domain") else {
        return Ok(DomainAvailability {
            domain: raw,
            available: false,
            reason: Some(Unavailable::Invalid),
        });
    };
    let reason = if domain.is_reserved() {
        Some(Unavailable::Reserved)
    } else {
        let asked = domain.clone();
        state
            .db(move |s| s.domain_taken(&asked))
            .await?
            .then_some(Unavailable::Taken)
    };
    Ok(DomainAvailability {
        domain: domain.into_inner(),
        available: reason.is_none(),
        reason,
    })
}

/// Check a domain's availability
///
/// Public (no token; rate limited per client address). Tells whether
/// `<prefix>.onmicrosoft.com` can be a new customer's primary domain, and if not,
/// why: `invalid`, `taken` (a domain once used is never available again, even
/// after its customer is archived) or `reserved`.
#[utoipa::path(
    tag = "Customers",
    operation_id = "getDomainAvailability",
    params(("domain" = String, Path, description = "e.g. `contoso.onmicrosoft.com`")),
    responses(
        (status = 200, description = "The answer, whichever it is", body = DomainAvailability),
        Problems<(codes::RateLimited, codes::Unavailable)>,
    ),
    security(())
)]
#[get("/domains/{domain}")]
pub async fn get_domain_availability(
    state: web::Data<AppState>,
    domain: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(check(&state, domain.into_inner()).await?))
}

/// Is a domain taken?
///
/// Public, rate limited, and shaped like Microsoft's domain check: 200 when the
/// domain is taken (or reserved, or invalid: not available), 404 when it is free.
/// No body.
#[utoipa::path(
    tag = "Customers",
    operation_id = "headDomainAvailability",
    params(("domain" = String, Path, description = "e.g. `contoso.onmicrosoft.com`")),
    responses(
        (status = 200, description = "Not available: taken, reserved or invalid"),
        (status = 404, description = "Free"),
        Problems<(codes::RateLimited, codes::Unavailable)>,
    ),
    security(())
)]
#[head("/domains/{domain}")]
pub async fn head_domain_availability(
    state: web::Data<AppState>,
    domain: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let answer = check(&state, domain.into_inner()).await?;
    Ok(if answer.available {
        HttpResponse::NotFound().finish()
    } else {
        HttpResponse::Ok().finish()
    })
}
