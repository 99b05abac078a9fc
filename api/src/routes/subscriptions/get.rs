use actix_web::{get, web, HttpResponse};
use domain::Action;
use uuid::Uuid;

use super::view::SubscriptionView;
use super::visible;
use crate::auth::Authenticated;
use crate::error::{ApiError, Problem};
use crate::preconditions::tagged;
use crate::state::AppState;

/// Read a subscription
///
/// One subscription of a customer in your scope; the `ETag` header carries its
/// version for `If-Match`.
#[utoipa::path(
    tag = "Subscriptions",
    operation_id = "getSubscription",
    params(("id" = Uuid, Path, description = "Subscription id")),
    responses(
        (status = 200, description = "The subscription", body = SubscriptionView,
            headers(("ETag" = String, description = "The subscription's version"))),
        (status = 404, description = "No such subscription in your scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/subscriptions/{id}")]
pub async fn get_subscription(
    state: web::Data<AppState>,
    Authenticated(principal): Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let sub = visible(&state, &principal, id.into_inner(), Action::ReadSubscriptions).await?;
    Ok(tagged(
        &mut HttpResponse::Ok(),
        sub.version,
        SubscriptionView::from(sub),
    ))
}
