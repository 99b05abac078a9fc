use actix_web::{delete, web, HttpRequest, HttpResponse};
use domain::actions::ManageWebhooks;
use domain::codes;
use persistence::WebhookEndpoint;

use crate::auth::audit_entry;
use crate::error::ApiError;
use crate::guard::Guarded;
use crate::preconditions::if_match;
use crate::problems::Problems;
use crate::state::AppState;

/// Delete a webhook endpoint
///
/// Nothing more is sent to it, and its delivery log goes with it. Send the
/// `ETag` you read as `If-Match`.
#[utoipa::path(
    tag = "Webhooks",
    operation_id = "deleteWebhookEndpoint",
    params(
        ("id" = Uuid, Path, description = "Webhook endpoint id"),
        ("If-Match" = Option<String>, Header, description = "The ETag you read; the delete applies only if it is still current"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        Problems<(codes::StaleVersion,)>,
    ),
    security(("bearer" = []))
)]
#[delete("/webhook-endpoints/{id}")]
pub async fn delete_webhook_endpoint(
    state: web::Data<AppState>,
    endpoint: Guarded<ManageWebhooks, WebhookEndpoint>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req);
    endpoint
        .db(&state, move |s, principal, endpoint| -> Result<_, ApiError> {
            let expected = expected?;
            Ok(s.delete_webhook_endpoint(&principal.home_path, endpoint.id, expected, &audit_entry(principal))?)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
