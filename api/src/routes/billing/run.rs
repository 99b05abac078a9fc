use actix_web::{post, web, HttpResponse};
use domain::actions::RunBilling;
use domain::Period;
use persistence::Organization;

use super::view::{BillingRunRequest, BillingRunView};
use crate::auth::audit_entry;
use crate::error::ApiError;
use crate::extract::StrictJson;
use crate::guard::Guarded;
use crate::state::AppState;

/// Run billing for a period
///
/// Creates `draft` invoices for the month: one per customer in this
/// organisation's subtree and currency, with a line per subscription billed in
/// that month (monthly subscriptions every month, annual ones in the month of
/// their creation and its anniversaries). A line's quantity is seat-days: the
/// seats in force at the end of each day (UTC), summed over the month, from the
/// subscription's seat history; its amount is `round_half_even(unit_price_minor ×
/// seat_days / days_in_period)` in integer minor units. Running a period again
/// never duplicates an invoice: drafts are recomputed from the current history
/// (and deleted when nothing is left to bill), issued, paid and void invoices
/// never change. The run is one transaction: it lands whole or not at all.
/// Needs the `billing` or `admin` role.
#[utoipa::path(
    tag = "Billing",
    operation_id = "runBilling",
    params(("id" = Uuid, Path, description = "Organisation id")),
    request_body = BillingRunRequest,
    responses(
        (status = 200, description = "What the run did", body = BillingRunView),
    ),
    security(("bearer" = []))
)]
#[post("/organizations/{id}/billing-runs")]
pub async fn run_billing(
    state: web::Data<AppState>,
    guarded: Guarded<RunBilling, Organization>,
    body: StrictJson<BillingRunRequest>,
) -> Result<HttpResponse, ApiError> {
    let period = Period::parse(&body.0.period, "period")?;
    let (principal, org) = (guarded.principal, guarded.record);
    let scope = principal.home_path.clone();
    let who = audit_entry(&principal);
    let run = state.db(move |s| s.run_billing(&scope, org.id, period, &who)).await?;
    Ok(HttpResponse::Ok().json(BillingRunView::from(run)))
}
