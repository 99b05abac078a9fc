use actix_web::{http::header, post, web, HttpResponse};
use domain::actions::ManageSubscriptions;
use domain::{check_date, codes, DisplayName, FieldErrors, Money, Seats, Sku};
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
    let (principal, org) = (customer.principal, customer.record.0);
    let b = body.0;
    let mut errors = FieldErrors::default();
    let sku = errors.take(Sku::parse(&b.sku));
    let description = errors.take(DisplayName::parse(&b.description).map_err(|e| e.at("description")));
    let seats = errors.take(Seats::new(b.quantity, b.assigned.unwrap_or(0)));
    let price = errors.take(Money::new(
        b.unit_price.amount_minor,
        &b.unit_price.currency,
        "unit_price",
    ));
    errors.take(check_date(b.renews_on, "renews_on"));
    errors.into_result()?;
    let (Some(sku), Some(description), Some(seats), Some(unit_price)) = (sku, description, seats, price) else {
        return Err(ApiError::Internal("parsed fields went missing".into()));
    };
    let new = NewSubscription {
        customer_id: org.id,
        sku,
        description: description.into_inner(),
        seats,
        unit_price,
        billing_cycle: b.billing_cycle,
        renews_on: b.renews_on,
        auto_renew: b.auto_renew.unwrap_or(true),
    };
    let scope = principal.home_path.clone();
    let who = audit_entry(&principal);
    let sub = state.db(move |s| s.create_subscription(&scope, &new, &who)).await?;
    Ok(tagged(
        HttpResponse::Created().insert_header((header::LOCATION, format!("/v1/subscriptions/{}", sub.id))),
        sub.version,
        SubscriptionView::from(sub),
    ))
}
