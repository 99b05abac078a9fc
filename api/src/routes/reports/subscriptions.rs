use actix_web::{get, web, HttpResponse};
use domain::Action;
use uuid::Uuid;

use super::timestamp;
use crate::auth::Authenticated;
use crate::csv_export::{self, BATCH};
use crate::error::{ApiError, Problem};
use crate::routes::organizations::access::visible;
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
        (status = 403, description = "Your role may not export this report", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organisation in your scope", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many exports are running; retry after `Retry-After` seconds", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("bearer" = []))
)]
#[get("/organizations/{id}/reports/subscriptions.csv")]
pub async fn export_subscription_report(
    state: web::Data<AppState>,
    Authenticated(principal): Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let org = visible(&state, &principal, id.into_inner(), Action::ExportSubscriptionReport).await?;
    csv_export::response(&state, "subscriptions", &org.name, COLUMNS, move |snapshot, sink| {
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
}
