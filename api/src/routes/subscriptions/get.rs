use actix_web::{get, web, HttpResponse};
use domain::actions::ReadSubscriptions;
use persistence::Subscription;

use super::view::SubscriptionView;
use crate::error::ApiError;
use crate::guard::Guarded;
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
    ),
    security(("bearer" = []))
)]
#[get("/subscriptions/{id}")]
pub async fn get_subscription(
    state: web::Data<AppState>,
    sub: Guarded<ReadSubscriptions, Subscription>,
) -> Result<HttpResponse, ApiError> {
    let sub = sub.db(&state, |_, _, sub| Ok::<_, ApiError>(sub)).await?;
    Ok(tagged(
        &mut HttpResponse::Ok(),
        sub.version,
        SubscriptionView::from(sub),
    ))
}
