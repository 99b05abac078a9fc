use actix_web::http::header;
use actix_web::{get, post, web, HttpResponse};
use domain::actions::{ReadBilling, RunBilling};
use domain::{codes, Period};
use persistence::{BillingRun, Organization};

use super::view::{BillingRunRequest, BillingRunView};
use crate::auth::audit_entry;
use crate::error::ApiError;
use crate::extract::StrictJson;
use crate::guard::Guarded;
use crate::problems::Problems;
use crate::state::AppState;

/// Start a billing run for a period
///
/// Queues a run that creates `draft` invoices for the month: one per customer in
/// this organisation's subtree and currency, with a line per subscription billed
/// in that month (monthly subscriptions every month, annual ones in the month of
/// their creation and its anniversaries). A line's quantity is seat-days: the
/// seats in force at the end of each day (UTC), summed over the month, from the
/// subscription's seat history; its amount is `round_half_even(unit_price_minor ×
/// seat_days / days_in_period)` in integer minor units. Running a period again
/// never duplicates an invoice: drafts are recomputed from the current history
/// (and deleted when nothing is left to bill), issued, paid and void invoices
/// never change.
///
/// The answer is `202 Accepted` with the queued run; a background worker bills
/// the subtree a batch of customers at a time, each batch in its own short
/// transaction, and resumes where it stopped after a crash or restart. Follow
/// `Location` (`GET /v1/billing-runs/{id}`) until `status` is `succeeded` or
/// `failed`. While a run for this organisation and period is queued or running,
/// another one is refused (409 `billing_run_active`). Needs the `billing` or
/// `admin` role.
#[utoipa::path(
    tag = "Billing",
    operation_id = "runBilling",
    params(("id" = Uuid, Path, description = "Organisation id")),
    request_body = BillingRunRequest,
    responses(
        (status = 202, description = "Queued; follow `Location` for its progress", body = BillingRunView,
            headers(("Location" = String, description = "URL of the run"))),
        Problems<(codes::BillingRunActive,)>,
    ),
    security(("bearer" = []))
)]
#[post("/organizations/{id}/billing-runs")]
pub async fn run_billing(
    state: web::Data<AppState>,
    guarded: Guarded<RunBilling, Organization>,
    body: StrictJson<BillingRunRequest>,
) -> Result<HttpResponse, ApiError> {
    let run = guarded
        .db(&state, move |s, principal, org| -> Result<_, ApiError> {
            let period = Period::parse(&body.0.period, "period")?;
            Ok(s.start_billing_run(&principal.home_path, org.id, period, &audit_entry(principal))?)
        })
        .await?;
    Ok(HttpResponse::Accepted()
        .insert_header((header::LOCATION, format!("/v1/billing-runs/{}", run.id)))
        .json(BillingRunView::from(run)))
}

/// Read a billing run
///
/// A run's status (`queued`, `running`, `succeeded`, `failed`), its progress in
/// customers and what it did to the period's invoices so far. A run is in the
/// scope of its organisation; reading it needs the `billing` or `admin` role
/// (the role that reads billing).
#[utoipa::path(
    tag = "Billing",
    operation_id = "getBillingRun",
    params(("id" = Uuid, Path, description = "Billing run id")),
    responses(
        (status = 200, description = "The run", body = BillingRunView),
    ),
    security(("bearer" = []))
)]
#[get("/billing-runs/{id}")]
pub async fn get_billing_run(
    state: web::Data<AppState>,
    run: Guarded<ReadBilling, BillingRun>,
) -> Result<HttpResponse, ApiError> {
    let run = run.db(&state, |_, _, run| Ok::<_, ApiError>(run)).await?;
    Ok(HttpResponse::Ok().json(BillingRunView::from(run)))
}
