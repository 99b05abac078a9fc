//! Subscription lists: one customer's, and a whole subtree's in one paged call.

use actix_web::{get, web, HttpResponse};
use chrono::NaiveDate;
use domain::actions::ReadSubscriptions;
use domain::{check_date, SubscriptionStatus};
use persistence::{Organization, SubscriptionFilter};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::view::{SubscriptionPage, SubscriptionView};
use crate::error::ApiError;
use crate::extract::StrictQuery;
use crate::guard::{Customer, Guarded};
use crate::pagination;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SubscriptionsQuery {
    /// Only subscriptions in this status.
    status: Option<SubscriptionStatus>,
    /// Only this SKU.
    #[param(max_length = 100)]
    sku: Option<String>,
    /// Only subscriptions renewing before this date (`YYYY-MM-DD`, year 1900 to 9999).
    #[param(value_type = Option<String>, format = Date, pattern = "^(19|[2-9][0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    renews_before: Option<NaiveDate>,
    /// Page size, 1 to 500.
    #[param(minimum = 1, maximum = 500, default = 50)]
    limit: Option<i64>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

impl SubscriptionsQuery {
    fn filter(&self) -> Result<SubscriptionFilter, ApiError> {
        pagination::bounded("sku", self.sku.as_deref(), 100)?;
        let renews_before = self.renews_before.map(|d| check_date(d, "renews_before")).transpose()?;
        Ok(SubscriptionFilter {
            status: self.status,
            sku: self.sku.clone(),
            renews_before,
        })
    }
}

/// List a customer's subscriptions
///
/// The customer's subscriptions, oldest first, filtered by status, SKU and
/// renewal date.
#[utoipa::path(
    tag = "Subscriptions",
    operation_id = "listCustomerSubscriptions",
    params(("id" = Uuid, Path, description = "Customer id"), SubscriptionsQuery),
    responses(
        (status = 200, description = "A page of subscriptions", body = SubscriptionPage),
    ),
    security(("bearer" = []))
)]
#[get("/customers/{id}/subscriptions")]
pub async fn list_customer_subscriptions(
    state: web::Data<AppState>,
    customer: Guarded<ReadSubscriptions, Customer>,
    query: StrictQuery<SubscriptionsQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.0;
    let (rows, limit) = customer
        .db(&state, move |s, _, customer| -> Result<_, ApiError> {
            let limit = pagination::limit(q.limit)?;
            let after = pagination::decode_uuid("subscription", q.cursor.as_deref())?;
            let filter = q.filter()?;
            Ok((s.customer_subscriptions(customer.id, &filter, after, limit + 1)?, limit))
        })
        .await?;
    let (rows, next_cursor) = pagination::split_page(rows, limit, |s| s.id.to_string(), "subscription");
    Ok(HttpResponse::Ok().json(SubscriptionPage {
        items: rows.into_iter().map(SubscriptionView::from).collect(),
        next_cursor,
    }))
}

/// List subscriptions across a subtree
///
/// Every subscription of every customer below this organisation, in one paged
/// call (no looping customer by customer), in tree order, filtered by status, SKU
/// and renewal date.
#[utoipa::path(
    tag = "Subscriptions",
    operation_id = "listSubtreeSubscriptions",
    params(("id" = Uuid, Path, description = "Organisation id"), SubscriptionsQuery),
    responses(
        (status = 200, description = "A page of subscriptions", body = SubscriptionPage),
    ),
    security(("bearer" = []))
)]
#[get("/organizations/{id}/subscriptions")]
pub async fn list_subtree_subscriptions(
    state: web::Data<AppState>,
    root: Guarded<ReadSubscriptions, Organization>,
    query: StrictQuery<SubscriptionsQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.0;
    let (rows, limit) = root
        .db(&state, move |s, _, root| -> Result<_, ApiError> {
            let limit = pagination::limit(q.limit)?;
            let after = q
                .cursor
                .as_deref()
                .map(|c| {
                    let key = pagination::decode("subtree_subscription", c)?;
                    key.split_once(' ')
                        .and_then(|(path, id)| Uuid::try_parse(id).ok().map(|id| (path.to_string(), id)))
                        .ok_or_else(|| {
                            ApiError::invalid("cursor", "invalid_cursor", "the cursor is not one this list returned")
                        })
                })
                .transpose()?;
            let filter = q.filter()?;
            Ok((s.subtree_subscriptions(&root.path, &filter, after, limit + 1)?, limit))
        })
        .await?;
    let (rows, next_cursor) = pagination::split_page(
        rows,
        limit,
        |s| format!("{} {}", s.customer_path.as_str(), s.id),
        "subtree_subscription",
    );
    Ok(HttpResponse::Ok().json(SubscriptionPage {
        items: rows.into_iter().map(SubscriptionView::from).collect(),
        next_cursor,
    }))
}
