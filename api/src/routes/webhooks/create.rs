use actix_web::{http::header, post, web, HttpResponse};
use domain::actions::ManageWebhooks;
use domain::parse_all;
use persistence::{NewWebhookEndpoint, Organization};

use super::input;
use super::view::{CreateWebhookEndpoint, WebhookEndpointView, WebhookEndpointWithSecret};
use crate::auth::audit_entry;
use crate::error::ApiError;
use crate::extract::StrictJson;
use crate::guard::Guarded;
use crate::preconditions::etag;
use crate::state::AppState;
use crate::webhooks::new_secret;

/// Create a webhook endpoint
///
/// Events of this organisation and everything below it, of the listed types,
/// are pushed to `url`, signed per the Standard Webhooks specification with
/// `secret`, which this answer carries once (store it now). The URL must be
/// `https` and resolve to public addresses.
#[utoipa::path(
    tag = "Webhooks",
    operation_id = "createWebhookEndpoint",
    request_body = CreateWebhookEndpoint,
    params(("id" = Uuid, Path, description = "The organisation whose events the endpoint receives")),
    responses(
        (status = 201, description = "Created; store the secret now", body = WebhookEndpointWithSecret,
            headers(("Location" = String, description = "URL of the new endpoint"), ("ETag" = String, description = "The endpoint's version"))),
    ),
    security(("bearer" = []))
)]
#[post("/organizations/{id}/webhook-endpoints")]
pub async fn create_webhook_endpoint(
    state: web::Data<AppState>,
    org: Guarded<ManageWebhooks, Organization>,
    body: StrictJson<CreateWebhookEndpoint>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let (url, events, description) = parse_all((
        input::url(&state, &body.url).await,
        input::events(&body.events),
        input::description(&body.description),
    ))?;
    let secret = new_secret();
    let shown = secret.expose();
    let new = NewWebhookEndpoint {
        url,
        events,
        description,
    };
    let endpoint = org
        .db(&state, move |s, principal, org| {
            s.create_webhook_endpoint(&principal.home_path, org.id, &new, &secret, &audit_entry(principal))
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/v1/webhook-endpoints/{}", endpoint.id)))
        .insert_header((header::ETAG, etag(endpoint.version)))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(WebhookEndpointWithSecret {
            endpoint: WebhookEndpointView::from(endpoint),
            secret: shown,
        }))
}
