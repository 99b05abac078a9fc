use actix_web::{get, web, HttpResponse};
use chrono::NaiveDate;
use domain::actions::ReadCustomers;
use domain::{OrgKind, OrgStatus};
use persistence::{DescendantFilter, Organization};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::ApiError;
use crate::extract::StrictQuery;
use crate::guard::Guarded;
use crate::pagination;
use crate::routes::organizations::view::{present, OrganizationView};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CustomersQuery {
    /// Only customers in this status; without it, all but `archived`.
    status: Option<OrgStatus>,
    /// Case-insensitive substring of the name.
    #[param(max_length = 200)]
    q: Option<String>,
    /// Page size, 1 to 500.
    #[param(minimum = 1, maximum = 500, default = 50)]
    limit: Option<i64>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// A customer with its seats, next renewal and SKUs.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerSummary {
    #[serde(flatten)]
    pub organization: OrganizationView,
    /// Licences purchased over live (active or suspended) subscriptions.
    pub seats_purchased: i64,
    pub seats_assigned: i64,
    /// The earliest renewal date of its live subscriptions.
    pub next_renewal: Option<NaiveDate>,
    /// The SKUs of its live subscriptions, sorted.
    pub skus: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerSummaryPage {
    pub items: Vec<CustomerSummary>,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// List customers with their summary
///
/// The customers below this organisation, in tree order, each with seats
/// purchased and assigned, its next renewal date and its SKUs. A page costs a
/// fixed number of statements, however many customers it holds.
#[utoipa::path(
    tag = "Customers",
    operation_id = "listCustomers",
    params(("id" = Uuid, Path, description = "Organisation id"), CustomersQuery),
    responses(
        (status = 200, description = "A page of customers", body = CustomerSummaryPage),
    ),
    security(("bearer" = []))
)]
#[get("/organizations/{id}/customers")]
pub async fn list_customers(
    state: web::Data<AppState>,
    root: Guarded<ReadCustomers, Organization>,
    query: StrictQuery<CustomersQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.0;
    let (views, mut rollups, next_cursor) = root
        .db(&state, move |s, principal, root| -> Result<_, ApiError> {
            let limit = pagination::limit(q.limit)?;
            let after = q
                .cursor
                .as_deref()
                .map(|c| pagination::decode("customer", c))
                .transpose()?;
            let search = pagination::search_text(q.q, 200)?;
            let filter = DescendantFilter {
                kind: Some(OrgKind::Customer),
                status: q.status,
                name_contains: search,
            };
            let rows = s.descendants(&root.path, &filter, after.as_deref(), limit + 1)?;
            let (rows, next_cursor) = pagination::split_page(rows, limit, |o| o.path.as_str().to_string(), "customer");
            let ids: Vec<Uuid> = rows.iter().map(|o| o.id).collect();
            let rollups = s.customer_rollups(&ids)?;
            Ok((present(s, principal, rows)?, rollups, next_cursor))
        })
        .await?;
    let items = views
        .into_iter()
        .map(|organization| {
            let r = rollups.remove(&organization.id).unwrap_or_default();
            CustomerSummary {
                organization,
                seats_purchased: r.seats_purchased,
                seats_assigned: r.seats_assigned,
                next_renewal: r.next_renewal,
                skus: r.skus.into_iter().collect(),
            }
        })
        .collect();
    Ok(HttpResponse::Ok().json(CustomerSummaryPage { items, next_cursor }))
}
