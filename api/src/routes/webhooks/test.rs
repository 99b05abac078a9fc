use actix_web::{post, web, HttpResponse};
use domain::actions::ManageWebhooks;
use domain::webhook::PING;
use persistence::WebhookEndpoint;
use serde_json::json;
use uuid::Uuid;

use super::view::DeliveryView;
use crate::error::ApiError;
use crate::guard::Guarded;
use crate::state::AppState;
use crate::webhooks::payload::envelope;

/// Send a test event
///
/// Queues a `ping` event to this endpoint only (whatever types it subscribes
/// to), signed and retried like any other; follow it in the endpoint's
/// deliveries. A disabled endpoint receives it once it is enabled again.
#[utoipa::path(
    tag = "Webhooks",
    operation_id = "testWebhookEndpoint",
    params(("id" = Uuid, Path, description = "Webhook endpoint id")),
    responses(
        (status = 202, description = "Queued", body = DeliveryView),
    ),
    security(("bearer" = []))
)]
#[post("/webhook-endpoints/{id}/test")]
pub async fn test_webhook_endpoint(
    state: web::Data<AppState>,
    endpoint: Guarded<ManageWebhooks, WebhookEndpoint>,
) -> Result<HttpResponse, ApiError> {
    let event_id = Uuid::now_v7();
    let now = state.clock.now();
    let delivery = endpoint
        .db(&state, move |s, principal, endpoint| {
            let (id, org) = (endpoint.id, endpoint.organization_id);
            let body = envelope(event_id, PING, now, org, json!({"webhook_endpoint_id": id}));
            s.queue_webhook_ping(&principal.home_path, id, event_id, PING, org, body, now)
        })
        .await?;
    Ok(HttpResponse::Accepted().json(DeliveryView::from(delivery)))
}
