use actix_web::{get, web, HttpResponse};
use domain::actions::ReadWebhooks;
use persistence::WebhookEndpoint;

use super::view::WebhookEndpointView;
use crate::error::ApiError;
use crate::guard::Guarded;
use crate::preconditions::tagged;
use crate::state::AppState;

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
pub async fn get_webhook_endpoint(
    state: web::Data<AppState>,
    endpoint: Guarded<ReadWebhooks, WebhookEndpoint>,
) -> Result<HttpResponse, ApiError> {
    let endpoint = endpoint
        .db(&state, |_, _, endpoint| Ok::<_, ApiError>(endpoint))
        .await?;
    Ok(tagged(
        &mut HttpResponse::Ok(),
        endpoint.version,
        WebhookEndpointView::from(endpoint),
    ))
}
