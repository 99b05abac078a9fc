use actix_web::{get, HttpResponse};
use domain::actions::ReadWebhooks;
use persistence::WebhookEndpoint;

use super::view::WebhookEndpointView;
use crate::guard::Guarded;
use crate::preconditions::tagged;

/// Read a webhook endpoint
///
/// One endpoint of an organisation in your scope (never its secret). The `ETag`
/// header carries its version for `If-Match`.
#[utoipa::path(
    tag = "Webhooks",
    operation_id = "getWebhookEndpoint",
    params(("id" = Uuid, Path, description = "Webhook endpoint id")),
    responses(
        (status = 200, description = "The endpoint", body = WebhookEndpointView,
            headers(("ETag" = String, description = "The endpoint's version"))),
    ),
    security(("bearer" = []))
)]
#[get("/webhook-endpoints/{id}")]
pub async fn get_webhook_endpoint(endpoint: Guarded<ReadWebhooks, WebhookEndpoint>) -> HttpResponse {
    let endpoint = endpoint.into_record();
    tagged(
        &mut HttpResponse::Ok(),
        endpoint.version,
        WebhookEndpointView::from(endpoint),
    )
}
