use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, Utc};
use domain::actions::ReadSubscriptions;
use persistence::Subscription;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::guard::Guarded;
use crate::state::AppState;

/// Seats after one change.
#[derive(Debug, Serialize, ToSchema)]
pub struct SeatChangeView {
    pub changed_at: DateTime<Utc>,
    pub quantity: i64,
    pub assigned: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SeatHistory {
    pub items: Vec<SeatChangeView>,
    /// Always null: a subscription's history is listed whole.
    pub next_cursor: Option<String>,
}

/// A subscription's seat history
///
/// Every change of quantity or assigned seats, oldest first, starting with the
/// purchase; a cancellation shows as seats falling to zero.
#[utoipa::path(
    tag = "Subscriptions",
    operation_id = "getSubscriptionHistory",
    params(("id" = Uuid, Path, description = "Subscription id")),
    responses(
        (status = 200, description = "The history", body = SeatHistory),
    ),
    security(("bearer" = []))
)]
#[get("/subscriptions/{id}/history")]
pub async fn get_subscription_history(
    state: web::Data<AppState>,
    sub: Guarded<ReadSubscriptions, Subscription>,
) -> Result<HttpResponse, ApiError> {
    let items = sub.db(&state, |s, _, sub| s.seat_history(sub.id)).await?;
    Ok(HttpResponse::Ok().json(SeatHistory {
        items: items
            .into_iter()
            .map(|c| SeatChangeView {
                changed_at: c.changed_at,
                quantity: c.quantity,
                assigned: c.assigned,
            })
            .collect(),
        next_cursor: None,
    }))
}
