use actix_web::{get, web, HttpResponse};
use domain::actions::ReadWebhooks;
use persistence::Organization;
use serde::Deserialize;
use utoipa::IntoParams;

use super::view::{WebhookEndpointPage, WebhookEndpointView};
use crate::error::ApiError;
use crate::extract::StrictQuery;
use crate::guard::Guarded;
use crate::pagination;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WebhookEndpointsQuery {
    /// Page size, 1 to 500.
    #[param(minimum = 1, maximum = 500, default = 50)]
    limit: Option<i64>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// List webhook endpoints
///
/// The endpoints of this organisation and every organisation below it, oldest
/// first. Secrets are never shown.
#[utoipa::path(
    tag = "Webhooks",
    operation_id = "listWebhookEndpoints",
    params(("id" = Uuid, Path, description = "Organisation id"), WebhookEndpointsQuery),
    responses(
        (status = 200, description = "A page of endpoints", body = WebhookEndpointPage),
    ),
    security(("bearer" = []))
)]
#[get("/organizations/{id}/webhook-endpoints")]
pub async fn list_webhook_endpoints(
    state: web::Data<AppState>,
    org: Guarded<ReadWebhooks, Organization>,
    query: StrictQuery<WebhookEndpointsQuery>,
) -> Result<HttpResponse, ApiError> {
    let (rows, limit) = org
        .db(&state, move |s, _, org| -> Result<_, ApiError> {
            let limit = pagination::limit(query.0.limit)?;
            let after = pagination::decode_uuid("webhook_endpoint", query.0.cursor.as_deref())?;
            Ok((s.list_webhook_endpoints(&org.path, after, limit + 1)?, limit))
        })
        .await?;
    let (rows, next_cursor) = pagination::split_page(rows, limit, |e| e.id.to_string(), "webhook_endpoint");
    Ok(HttpResponse::Ok().json(WebhookEndpointPage {
        items: rows.into_iter().map(WebhookEndpointView::from).collect(),
        next_cursor,
    }))
}
