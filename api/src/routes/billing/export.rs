use actix_web::{get, web, HttpResponse};
use domain::actions::ExportInvoiceLines;
use domain::codes;
use domain::Period;
use persistence::{Organization, Store};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::csv_export::{self, BATCH};
use crate::error::ApiError;
use crate::extract::StrictQuery;
use crate::guard::Guarded;
use crate::problems::Problems;
use crate::state::AppState;

const COLUMNS: &[&str] = &[
    "invoice_id",
    "line_id",
    "period",
    "subscription_id",
    "sku",
    "description",
    "billing_cycle",
    "seat_days",
    "days_in_period",
    "unit_price_minor",
    "amount_minor",
];

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InvoiceLinesQuery {
    /// The month, `YYYY-MM`.
    #[param(pattern = "^(19[0-9]{2}|[2-9][0-9]{3})-(0[1-9]|1[0-2])$")]
    period: String,
}

/// Export invoice lines as CSV
///
/// Every line of every invoice of the period in this organisation's subtree, in
/// tree order, as one streamed CSV file (RFC 4180, UTF-8, CRLF, header row;
/// cells starting with `=`, `+`, `-`, `@`, tab or CR are prefixed with `'`).
/// File name `invoice-lines-<organisation>-<date>.csv`. Columns: `invoice_id`,
/// `line_id`, `period` (`YYYY-MM`), `subscription_id`, `sku`, `description`,
/// `billing_cycle`, `seat_days`, `days_in_period`, `unit_price_minor`,
/// `amount_minor` (integer minor units; `round_half_even(unit_price_minor ×
/// seat_days / days_in_period)`). Needs the `billing` or `admin` role.
#[utoipa::path(
    tag = "Reports",
    operation_id = "exportInvoiceLines",
    params(("id" = Uuid, Path, description = "Organisation id"), InvoiceLinesQuery),
    responses(
        (status = 200, description = "The lines, streamed", content_type = "text/csv", body = String,
            headers(("Content-Disposition" = String, description = "`attachment` with the file name"))),
        Problems<(codes::RateLimited,)>,
    ),
    security(("bearer" = []))
)]
#[get("/organizations/{id}/reports/invoice-lines.csv")]
pub async fn export_invoice_lines(
    state: web::Data<AppState>,
    org: Guarded<ExportInvoiceLines, Organization>,
    query: StrictQuery<InvoiceLinesQuery>,
) -> Result<HttpResponse, ApiError> {
    let period = Period::parse(&query.0.period, "period")?.as_string();
    let open = move |s: &Store| Ok(org.check(s)?.1);
    csv_export::response(&state, "invoice-lines", COLUMNS, open, move |org, snapshot, sink| {
        csv_export::write_all(
            sink,
            |after| snapshot.invoice_line_batch(&org.path, &period, after, BATCH),
            |l| (l.customer_path.clone(), l.id.clone()),
            |sink, l| {
                sink.row([
                    l.invoice_id.as_str(),
                    &l.id,
                    &l.period,
                    &l.subscription_id,
                    &l.sku,
                    &l.description,
                    &l.billing_cycle,
                    &l.seat_days.to_string(),
                    &l.days_in_period.to_string(),
                    &l.unit_price_minor.to_string(),
                    &l.amount_minor.to_string(),
                ])
            },
        )
    })
    .await
}
