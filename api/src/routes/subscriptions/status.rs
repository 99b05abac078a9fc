//! Suspend, reactivate, cancel.

use actix_web::{post, web, HttpResponse};
use domain::actions::ManageSubscriptions;
use domain::{codes, SubscriptionChange};
use persistence::Subscription;

use super::view::SubscriptionView;
use crate::auth::audit_entry;
use crate::error::ApiError;
use crate::guard::Guarded;
use crate::preconditions::tagged;
use crate::problems::Problems;
use crate::state::AppState;

type Managed = Guarded<ManageSubscriptions, Subscription>;

async fn change(state: &AppState, sub: Managed, change: SubscriptionChange) -> Result<HttpResponse, ApiError> {
    let sub = sub
        .db(state, move |s, principal, sub| {
            s.change_subscription_status(&principal.home_path, sub.id, change, &audit_entry(principal))
        })
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
        Problems<(codes::InvalidStatusTransition,)>,
    ),
    security(("bearer" = []))
)]
#[post("/subscriptions/{id}/suspend")]
pub async fn suspend_subscription(state: web::Data<AppState>, sub: Managed) -> Result<HttpResponse, ApiError> {
    change(&state, sub, SubscriptionChange::Suspend).await
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
        Problems<(codes::InvalidStatusTransition,)>,
    ),
    security(("bearer" = []))
)]
#[post("/subscriptions/{id}/reactivate")]
pub async fn reactivate_subscription(state: web::Data<AppState>, sub: Managed) -> Result<HttpResponse, ApiError> {
    change(&state, sub, SubscriptionChange::Reactivate).await
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
        Problems<(codes::InvalidStatusTransition,)>,
    ),
    security(("bearer" = []))
)]
#[post("/subscriptions/{id}/cancel")]
pub async fn cancel_subscription(state: web::Data<AppState>, sub: Managed) -> Result<HttpResponse, ApiError> {
    change(&state, sub, SubscriptionChange::Cancel).await
}
