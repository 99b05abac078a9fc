//! Suspend, reactivate, cancel.

use actix_web::{post, web, HttpResponse};
use domain::{Action, Principal, SubscriptionChange};
use uuid::Uuid;

use super::view::SubscriptionView;
use super::visible;
use crate::auth::{audit_entry, Authenticated};
use crate::error::{ApiError, Problem};
use crate::preconditions::tagged;
use crate::state::AppState;

async fn change(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    change: SubscriptionChange,
) -> Result<HttpResponse, ApiError> {
    visible(state, principal, id, Action::ManageSubscriptions).await?;
    let scope = principal.home_path.clone();
    let who = audit_entry(principal);
    let sub = state
        .db(move |s| s.change_subscription_status(&scope, id, change, &who))
        .await?;
    Ok(tagged(
        &mut HttpResponse::Ok(),
        sub.version,
        SubscriptionView::from(sub),
    ))
}

/// Suspend a subscription
///
/// An `active` subscription becomes `suspended`; its seats stay purchased.
#[utoipa::path(
    tag = "Subscriptions",
    operation_id = "suspendSubscription",
    params(("id" = Uuid, Path, description = "Subscription id")),
    responses(
        (status = 200, description = "Suspended", body = SubscriptionView),
        (status = 403, description = "Only admins manage subscriptions", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription in your scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not active", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/subscriptions/{id}/suspend")]
pub async fn suspend_subscription(
    state: web::Data<AppState>,
    Authenticated(principal): Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    change(&state, &principal, id.into_inner(), SubscriptionChange::Suspend).await
}

/// Reactivate a subscription
///
/// A `suspended` subscription becomes `active` again.
#[utoipa::path(
    tag = "Subscriptions",
    operation_id = "reactivateSubscription",
    params(("id" = Uuid, Path, description = "Subscription id")),
    responses(
        (status = 200, description = "Active again", body = SubscriptionView),
        (status = 403, description = "Only admins manage subscriptions", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription in your scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not suspended", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/subscriptions/{id}/reactivate")]
pub async fn reactivate_subscription(
    state: web::Data<AppState>,
    Authenticated(principal): Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    change(&state, &principal, id.into_inner(), SubscriptionChange::Reactivate).await
}

/// Cancel a subscription
///
/// An `active` or `suspended` subscription ends: its seats are released (the
/// history shows them falling to zero) and it can no longer change.
#[utoipa::path(
    tag = "Subscriptions",
    operation_id = "cancelSubscription",
    params(("id" = Uuid, Path, description = "Subscription id")),
    responses(
        (status = 200, description = "Cancelled", body = SubscriptionView),
        (status = 403, description = "Only admins manage subscriptions", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription in your scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already cancelled or expired", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/subscriptions/{id}/cancel")]
pub async fn cancel_subscription(
    state: web::Data<AppState>,
    Authenticated(principal): Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    change(&state, &principal, id.into_inner(), SubscriptionChange::Cancel).await
}
