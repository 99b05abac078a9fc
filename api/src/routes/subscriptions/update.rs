use actix_web::{patch, web, HttpRequest, HttpResponse};
use domain::Action;
use persistence::SubscriptionPatch;
use uuid::Uuid;

use super::view::{SubscriptionView, UpdateSubscription};
use super::visible;
use crate::auth::{audit_entry, Authenticated};
use crate::error::{ApiError, Problem};
use crate::extract::StrictJson;
use crate::preconditions::{if_match, tagged};
use crate::state::AppState;

/// Change seats or auto-renewal
///
/// Changes quantity, assigned seats or auto-renewal; assigned never exceeds
/// quantity. Every change of seats is kept in the history. Send the `ETag` you
/// read as `If-Match`.
#[utoipa::path(
    tag = "Subscriptions",
    operation_id = "updateSubscription",
    request_body = UpdateSubscription,
    params(
        ("id" = Uuid, Path, description = "Subscription id"),
        ("If-Match" = Option<String>, Header, description = "The ETag you read; the update applies only if it is still current"),
    ),
    responses(
        (status = 200, description = "Updated", body = SubscriptionView, headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "Only admins manage subscriptions", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription in your scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Seats of a cancelled or expired subscription", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` is stale", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Assigned above quantity, or out of range", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/subscriptions/{id}")]
pub async fn update_subscription(
    state: web::Data<AppState>,
    Authenticated(principal): Authenticated,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: StrictJson<UpdateSubscription>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    visible(&state, &principal, id, Action::ManageSubscriptions).await?;
    let expected = if_match(&req)?;
    let patch = SubscriptionPatch {
        quantity: body.0.quantity,
        assigned: body.0.assigned,
        auto_renew: body.0.auto_renew,
    };
    let scope = principal.home_path.clone();
    let who = audit_entry(&principal);
    let sub = state
        .db(move |s| s.update_subscription(&scope, id, expected, &patch, &who))
        .await?;
    Ok(tagged(
        &mut HttpResponse::Ok(),
        sub.version,
        SubscriptionView::from(sub),
    ))
}
