use actix_web::{patch, web, HttpRequest, HttpResponse};
use domain::actions::ManageSubscriptions;
use domain::codes;
use persistence::{Subscription, SubscriptionPatch};

use super::view::{SubscriptionView, UpdateSubscription};
use crate::auth::audit_entry;
use crate::error::ApiError;
use crate::extract::StrictJson;
use crate::guard::Guarded;
use crate::preconditions::{if_match, tagged};
use crate::problems::Problems;
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
        Problems<(codes::SubscriptionEnded, codes::StaleVersion)>,
    ),
    security(("bearer" = []))
)]
#[patch("/subscriptions/{id}")]
pub async fn update_subscription(
    state: web::Data<AppState>,
    sub: Guarded<ManageSubscriptions, Subscription>,
    req: HttpRequest,
    body: StrictJson<UpdateSubscription>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req);
    let patch = SubscriptionPatch {
        quantity: body.0.quantity,
        assigned: body.0.assigned,
        auto_renew: body.0.auto_renew,
    };
    let sub = sub
        .db(&state, move |s, principal, sub| -> Result<_, ApiError> {
            let who = audit_entry(principal);
            Ok(s.update_subscription(&principal.home_path, sub.id, expected?, &patch, &who)?)
        })
        .await?;
    Ok(tagged(
        &mut HttpResponse::Ok(),
        sub.version,
        SubscriptionView::from(sub),
    ))
}
