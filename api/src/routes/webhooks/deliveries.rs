use actix_web::{get, web, HttpResponse};
use domain::actions::ReadWebhooks;
use persistence::WebhookEndpoint;
use serde::Deserialize;
use utoipa::IntoParams;

use super::view::{DeliveryAttemptView, DeliveryPage};
use crate::error::ApiError;
use crate::extract::StrictQuery;
use crate::guard::Guarded;
use crate::pagination;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveriesQuery {
    /// Page size, 1 to 500.
    #[param(minimum = 1, maximum = 500, default = 50)]
    limit: Option<i64>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// List an endpoint's delivery attempts
///
/// Every attempt to deliver an event to this endpoint, newest first: the
/// event's id and type, the attempt's number, its status (`succeeded`,
/// `retrying`, `failed`), the response status, the error, how long it took
/// and when the next attempt is due; and each event queued but not tried yet
/// (`pending`). Finished deliveries are kept for 30 days.
#[utoipa::path(
    tag = "Webhooks",
    operation_id = "listWebhookDeliveries",
    params(("id" = Uuid, Path, description = "Webhook endpoint id"), DeliveriesQuery),
    responses(
        (status = 200, description = "A page of attempts, newest first", body = DeliveryPage),
    ),
    security(("bearer" = []))
)]
#[get("/webhook-endpoints/{id}/deliveries")]
pub async fn list_webhook_deliveries(
    state: web::Data<AppState>,
    endpoint: Guarded<ReadWebhooks, WebhookEndpoint>,
    query: StrictQuery<DeliveriesQuery>,
) -> Result<HttpResponse, ApiError> {
    let (rows, limit) = endpoint
        .db(&state, move |s, _, endpoint| -> Result<_, ApiError> {
            let limit = pagination::limit(query.0.limit)?;
            let before = pagination::decode_uuid("webhook_delivery", query.0.cursor.as_deref())?;
            Ok((s.webhook_history(endpoint.id, before, limit + 1)?, limit))
        })
        .await?;
    let (rows, next_cursor) = pagination::split_page(rows, limit, |d| d.id.to_string(), "webhook_delivery");
    Ok(HttpResponse::Ok().json(DeliveryPage {
        items: rows.into_iter().map(DeliveryAttemptView::from).collect(),
        next_cursor,
    }))
}
