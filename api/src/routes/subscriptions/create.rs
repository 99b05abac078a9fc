use actix_web::{http::header, post, web, HttpResponse};
use domain::actions::ManageSubscriptions;
use domain::{check_date, codes, parse_all, DisplayName, Money, Seats, Sku};
use persistence::NewSubscription;

use super::view::{CreateSubscription, SubscriptionView};
use crate::auth::audit_entry;
use crate::error::ApiError;
use crate::extract::StrictJson;
use crate::guard::{Customer, Guarded};
use crate::preconditions::tagged;
use crate::problems::Problems;
use crate::state::AppState;

/// Create a subscription
///
/// Records a customer's purchase of a SKU: seats purchased and assigned (assigned
/// never above quantity), unit price in minor units, billing cycle, renewal date
/// and auto-renewal. The seat history starts with this purchase.
#[utoipa::path(
    tag = "Subscriptions",
    operation_id = "createSubscription",
    request_body = CreateSubscription,
    params(("id" = Uuid, Path, description = "Customer id")),
    responses(
        (status = 201, description = "Created", body = SubscriptionView,
            headers(("Location" = String, description = "URL of the subscription"), ("ETag" = String, description = "Its version"))),
        Problems<(codes::CustomerArchived,)>,
    ),
    security(("bearer" = []))
)]
#[post("/customers/{id}/subscriptions")]
pub async fn create_subscription(
    state: web::Data<AppState>,
    customer: Guarded<ManageSubscriptions, Customer>,
    body: StrictJson<CreateSubscription>,
) -> Result<HttpResponse, ApiError> {
    let b = body.0;
    let sub = customer
        .db(&state, move |s, principal, customer| -> Result<_, ApiError> {
            let (sku, description, seats, unit_price, renews_on) = parse_all((
                Sku::parse(&b.sku),
                DisplayName::parse(&b.description).map_err(|e| e.at("description")),
                Seats::new(b.quantity, b.assigned.unwrap_or(0)),
                Money::new(b.unit_price.amount_minor, &b.unit_price.currency, "unit_price"),
                check_date(b.renews_on, "renews_on"),
            ))?;
            let new = NewSubscription {
                customer_id: customer.id,
                sku,
                description,
                seats,
                unit_price,
                billing_cycle: b.billing_cycle,
                renews_on,
                auto_renew: b.auto_renew.unwrap_or(true),
            };
            Ok(s.create_subscription(&principal.home_path, &new, &audit_entry(principal))?)
        })
        .await?;
    Ok(tagged(
        HttpResponse::Created().insert_header((header::LOCATION, format!("/v1/subscriptions/{}", sub.id))),
        sub.version,
        SubscriptionView::from(sub),
    ))
}
