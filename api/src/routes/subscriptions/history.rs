use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, Utc};
use domain::Action;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::visible;
use crate::auth::Authenticated;
use crate::error::{ApiError, Problem};
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
        (status = 404, description = "No such subscription in your scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/subscriptions/{id}/history")]
pub async fn get_subscription_history(
    state: web::Data<AppState>,
    Authenticated(principal): Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let sub = visible(&state, &principal, id.into_inner(), Action::ReadSubscriptions).await?;
    let items = state.db(move |s| s.seat_history(sub.id)).await?;
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
