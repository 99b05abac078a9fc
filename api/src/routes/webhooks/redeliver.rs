use actix_web::{post, web, HttpResponse};
use domain::actions::ManageWebhooks;
use persistence::Delivery;

use super::view::DeliveryView;
use crate::error::ApiError;
use crate::guard::Guarded;
use crate::state::AppState;

/// Redeliver an event
///
/// Queues the event of this delivery to its endpoint again, as a new delivery
/// with the same body and the same `webhook-id` (receivers de-duplicate by it).
#[utoipa::path(
    tag = "Webhooks",
    operation_id = "redeliverWebhook",
    params(("id" = Uuid, Path, description = "Webhook delivery id")),
    responses(
        (status = 202, description = "Queued: the new delivery", body = DeliveryView),
    ),
    security(("bearer" = []))
)]
#[post("/webhook-deliveries/{id}/redeliver")]
pub async fn redeliver_webhook(
    state: web::Data<AppState>,
    delivery: Guarded<ManageWebhooks, Delivery>,
) -> Result<HttpResponse, ApiError> {
    let now = state.clock.now();
    let delivery = delivery
        .db(&state, move |s, principal, delivery| {
            s.redeliver_webhook(&principal.home_path, delivery.id, now)
        })
        .await?;
    Ok(HttpResponse::Accepted().json(DeliveryView::from(delivery)))
}
