use actix_web::{get, web, HttpResponse};
use domain::actions::ExportSubscriptionReport;
use domain::codes;
use persistence::{Organization, Store};

use super::timestamp;
use crate::csv_export::{self, BATCH};
use crate::error::ApiError;
use crate::guard::Guarded;
use crate::problems::Problems;
use crate::state::AppState;

const COLUMNS: &[&str] = &[
    "subscription_id",
    "customer_id",
    "customer_name",
    "sku",
    "description",
    "quantity",
    "assigned",
    "unit_price_minor",
    "currency",
    "billing_cycle",
    "renews_on",
    "auto_renew",
    "status",
    "created_at",
    "updated_at",
];

/// Export the subscriptions report as CSV
///
/// Every subscription of every customer in this organisation's subtree (or of
/// this one customer), in tree order, as one streamed CSV file (RFC 4180, UTF-8,
/// CRLF, header row; cells starting with `=`, `+`, `-`, `@`, tab or CR are
/// prefixed with `'`). File name `subscriptions-<organisation>-<date>.csv`.
/// Columns: `subscription_id`, `customer_id`, `customer_name`, `sku`,
/// `description`, `quantity` (seats purchased), `assigned`, `unit_price_minor`
/// (integer minor units per seat and billing period), `currency` (ISO 4217),
/// `billing_cycle` (`monthly`, `annual`), `renews_on` (`YYYY-MM-DD`),
/// `auto_renew` (`true`, `false`), `status`, `created_at`, `updated_at` (RFC 3339
/// UTC). Any role may export.
#[utoipa::path(
    tag = "Reports",
    operation_id = "exportSubscriptionReport",
    params(("id" = Uuid, Path, description = "Organisation or customer id")),
    responses(
        (status = 200, description = "The report, streamed", content_type = "text/csv", body = String,
            headers(("Content-Disposition" = String, description = "`attachment` with the file name"))),
        Problems<(codes::RateLimited,)>,
    ),
    security(("bearer" = []))
)]
#[get("/organizations/{id}/reports/subscriptions.csv")]
pub async fn export_subscription_report(
    state: web::Data<AppState>,
    org: Guarded<ExportSubscriptionReport, Organization>,
) -> Result<HttpResponse, ApiError> {
    let open = move |s: &Store| Ok(org.check(s)?.1);
    csv_export::response(&state, "subscriptions", COLUMNS, open, |org, snapshot, sink| {
        csv_export::write_all(
            sink,
            |after| snapshot.subscription_batch(&org.path, after, BATCH),
            |s| (s.customer_path.clone(), s.id.clone()),
            |sink, s| {
                sink.row([
                    s.id.as_str(),
                    &s.customer_id,
                    &s.customer_name,
                    &s.sku,
                    &s.description,
                    &s.quantity.to_string(),
                    &s.assigned.to_string(),
                    &s.unit_price_minor.to_string(),
                    &s.currency,
                    &s.billing_cycle,
                    &s.renews_on.to_string(),
                    if s.auto_renew { "true" } else { "false" },
                    &s.status,
                    &timestamp(s.created_at),
                    &timestamp(s.updated_at),
                ])
            },
        )
    })
    .await
}
