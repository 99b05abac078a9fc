use actix_web::{patch, web, HttpRequest, HttpResponse};
use domain::actions::ManageWebhooks;
use domain::{codes, parse_all};
use persistence::{WebhookEndpoint, WebhookEndpointPatch};

use super::input;
use super::view::{UpdateWebhookEndpoint, WebhookEndpointView};
use crate::auth::audit_entry;
use crate::error::ApiError;
use crate::extract::StrictJson;
use crate::guard::Guarded;
use crate::preconditions::{if_match, tagged};
use crate::problems::Problems;
use crate::state::AppState;

/// Change a webhook endpoint
///
/// Changes its URL, event types, description, or whether it is enabled.
/// Re-enabling resumes its pending deliveries. Send the `ETag` you read as `If-Match`.
#[utoipa::path(
    tag = "Webhooks",
    operation_id = "updateWebhookEndpoint",
    request_body = UpdateWebhookEndpoint,
    params(
        ("id" = Uuid, Path, description = "Webhook endpoint id"),
        ("If-Match" = Option<String>, Header, description = "The ETag you read; the update applies only if it is still current"),
    ),
    responses(
        (status = 200, description = "Updated", body = WebhookEndpointView, headers(("ETag" = String, description = "The new version"))),
        Problems<(codes::StaleVersion,)>,
    ),
    security(("bearer" = []))
)]
#[patch("/webhook-endpoints/{id}")]
pub async fn update_webhook_endpoint(
    state: web::Data<AppState>,
    endpoint: Guarded<ManageWebhooks, WebhookEndpoint>,
    req: HttpRequest,
    body: StrictJson<UpdateWebhookEndpoint>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req);
    let body = body.0;
    let url = match body.url.as_deref() {
        Some(raw) => Some(input::url(&state, raw).await),
        None => None,
    };
    let (url, events, description) = parse_all((
        url.transpose(),
        body.events.as_deref().map(input::events).transpose(),
        body.description.as_deref().map(input::description).transpose(),
    ))?;
    let patch = WebhookEndpointPatch {
        url,
        events,
        description,
        enabled: body.enabled,
    };
    let endpoint = endpoint
        .db(&state, move |s, principal, endpoint| -> Result<_, ApiError> {
            let expected = expected?;
            let who = audit_entry(principal);
            Ok(s.update_webhook_endpoint(&principal.home_path, endpoint.id, expected, &patch, &who)?)
        })
        .await?;
    Ok(tagged(
        &mut HttpResponse::Ok(),
        endpoint.version,
        WebhookEndpointView::from(endpoint),
    ))
}
