use actix_web::{get, web, HttpResponse};
use domain::actions::ReadBilling;
use domain::codes;
use persistence::Organization;

use super::view::{BillingHistory, BillingTotalView};
use crate::error::ApiError;
use crate::guard::Guarded;
use crate::problems::Problems;
use crate::state::AppState;

/// Read the billing history
///
/// For this organisation's subtree, per period and currency: the number of
/// invoices and their total in integer minor units, newest period first. Void
/// invoices are left out; drafts are included. Needs the `billing` or `admin` role.
#[utoipa::path(
    tag = "Billing",
    operation_id = "getBillingHistory",
    params(("id" = Uuid, Path, description = "Organisation id")),
    responses(
        (status = 200, description = "Totals per period and currency", body = BillingHistory),
        Problems<(codes::AmountOverflow,)>,
    ),
    security(("bearer" = []))
)]
#[get("/organizations/{id}/billing-history")]
pub async fn get_billing_history(
    state: web::Data<AppState>,
    org: Guarded<ReadBilling, Organization>,
) -> Result<HttpResponse, ApiError> {
    let rows = org.db(&state, |s, _, org| s.billing_history(&org.path)).await?;
    Ok(HttpResponse::Ok().json(BillingHistory {
        items: rows.into_iter().map(BillingTotalView::from).collect(),
    }))
}
