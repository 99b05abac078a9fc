//! Launching a customer's service instance as its partner.

use actix_web::{http::header, post, web, HttpResponse};
use domain::actions::LaunchService;
use domain::{codes, Action, Forbidden, PrincipalKind};
use persistence::{Launch, ServiceInstance};

use super::view::LaunchView;
use crate::auth::{audit_entry, launch_token, LaunchTarget};
use crate::error::ApiError;
use crate::guard::Guarded;
use crate::problems::Problems;
use crate::state::AppState;

/// Launch a service instance
///
/// Opens the customer's service as its partner, without the customer's
/// password: answers the service's `launch_url` with a 60-second token as
/// `#token=…`. The token is signed with the key published at
/// `/.well-known/jwks.json` (EdDSA); its audience is the service's key, `typ`
/// `launch`, `sub` the instance, `tid` the customer and `region` the
/// instance's region, and the RFC 8693 `act` claim names you; `jti` is unique.
/// Admin operators whose scope holds the customer only (API clients cannot
/// launch: a launch is a person acting); the customer must be active or
/// pending. Every launch is written to the audit log (never the token).
#[utoipa::path(
    tag = "Services",
    operation_id = "launchServiceInstance",
    params(("id" = Uuid, Path, description = "Service instance id")),
    responses(
        (status = 200, description = "Follow `url` before `expires_at`; never cached", body = LaunchView,
            headers(("Cache-Control" = String, description = "`no-store`"))),
        Problems<(codes::CustomerInactive,)>,
    ),
    security(("bearer" = []))
)]
#[post("/service-instances/{id}/launch")]
pub async fn launch_service_instance(
    state: web::Data<AppState>,
    instance: Guarded<LaunchService, ServiceInstance>,
) -> Result<HttpResponse, ApiError> {
    let (keys, issuer) = (state.keys.clone(), state.config.issuer());
    let view = instance
        .db(&state, move |s, principal, instance| -> Result<_, ApiError> {
            if principal.kind != PrincipalKind::Operator {
                return Err(Forbidden {
                    action: Action::LaunchService,
                }
                .into());
            }
            let target = LaunchTarget {
                instance: instance.id,
                customer: instance.customer_id,
                service: &instance.service,
                region: &instance.region,
            };
            let minted = launch_token(&keys, &issuer, &target, principal.id, principal.email.as_deref())
                .map_err(|e| ApiError::Internal(e.to_string()))?;
            let record = Launch {
                token_id: minted.jti,
                expires_at: minted.expires_at,
            };
            let service = s.record_launch(&principal.home_path, instance.id, &record, &audit_entry(principal))?;
            Ok(LaunchView {
                url: format!("{}#token={}", service.launch_url, minted.token),
                expires_at: minted.expires_at,
            })
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(view))
}
