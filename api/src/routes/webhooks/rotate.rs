use actix_web::{http::header, post, web, HttpResponse};
use domain::actions::ManageWebhooks;
use persistence::WebhookEndpoint;

use super::view::{WebhookEndpointView, WebhookEndpointWithSecret};
use crate::auth::audit_entry;
use crate::error::ApiError;
use crate::guard::Guarded;
use crate::state::AppState;
use crate::webhooks::new_secret;

/// Rotate a webhook endpoint's secret
///
/// Issues a new signing secret (shown in this answer only). For 24 hours the
/// old secret keeps signing beside the new one: `webhook-signature` then
/// carries both signatures, space-separated, so a receiver can switch without
/// losing an event.
#[utoipa::path(
    tag = "Webhooks",
    operation_id = "rotateWebhookSecret",
    params(("id" = Uuid, Path, description = "Webhook endpoint id")),
    responses(
        (status = 200, description = "The new secret; store it now", body = WebhookEndpointWithSecret),
    ),
    security(("bearer" = []))
)]
#[post("/webhook-endpoints/{id}/rotate-secret")]
pub async fn rotate_webhook_secret(
    state: web::Data<AppState>,
    endpoint: Guarded<ManageWebhooks, WebhookEndpoint>,
) -> Result<HttpResponse, ApiError> {
    let secret = new_secret();
    let shown = secret.expose();
    let now = state.clock.now();
    let endpoint = endpoint
        .db(&state, move |s, principal, endpoint| {
            s.rotate_webhook_secret(&principal.home_path, endpoint.id, &secret, now, &audit_entry(principal))
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(WebhookEndpointWithSecret {
            endpoint: WebhookEndpointView::from(endpoint),
            secret: shown,
        }))
}
