use actix_web::{get, web, HttpResponse};
use domain::actions::ExportUserReport;
use domain::codes;
use persistence::{Organization, Store};

use super::timestamp;
use crate::csv_export::{self, BATCH};
use crate::error::ApiError;
use crate::guard::Guarded;
use crate::problems::Problems;
use crate::state::AppState;

const COLUMNS: &[&str] = &[
    "user_id",
    "customer_id",
    "customer_name",
    "email",
    "name",
    "mobile",
    "admin",
    "master_admin",
    "status",
    "last_sign_in_at",
    "created_at",
];

/// Export the customer users report as CSV
///
/// Every user of every customer in this organisation's subtree (or of this one
/// customer), in tree order, as one streamed CSV file (RFC 4180, UTF-8, CRLF,
/// header row; cells starting with `=`, `+`, `-`, `@`, tab or CR are prefixed
/// with `'`). File name `users-<organisation>-<date>.csv`. Columns: `user_id`,
/// `customer_id`, `customer_name`, `email`, `name`, `mobile` (empty when
/// unknown), `admin`, `master_admin` (`true`, `false`), `status`,
/// `last_sign_in_at` (RFC 3339 UTC, empty if never), `created_at`. Any role may
/// export.
#[utoipa::path(
    tag = "Reports",
    operation_id = "exportUserReport",
    params(("id" = Uuid, Path, description = "Organisation or customer id")),
    responses(
        (status = 200, description = "The report, streamed", content_type = "text/csv", body = String,
            headers(("Content-Disposition" = String, description = "`attachment` with the file name"))),
        Problems<(codes::RateLimited,)>,
    ),
    security(("bearer" = []))
)]
#[get("/organizations/{id}/reports/users.csv")]
pub async fn export_user_report(
    state: web::Data<AppState>,
    org: Guarded<ExportUserReport, Organization>,
) -> Result<HttpResponse, ApiError> {
    let open = move |s: &Store| Ok(org.check(s)?.1);
    csv_export::response(&state, "users", COLUMNS, open, |org, snapshot, sink| {
        let flag = |b: bool| if b { "true" } else { "false" };
        csv_export::write_all(
            sink,
            |after| snapshot.customer_user_batch(&org.path, after, BATCH),
            |u| (u.customer_path.clone(), u.id.clone()),
            |sink, u| {
                sink.row([
                    u.id.as_str(),
                    &u.customer_id,
                    &u.customer_name,
                    &u.email,
                    &u.name,
                    u.mobile.as_deref().unwrap_or_default(),
                    flag(u.is_admin),
                    flag(u.is_master_admin),
                    &u.status,
                    &u.last_sign_in_at.map(timestamp).unwrap_or_default(),
                    &timestamp(u.created_at),
                ])
            },
        )
    })
    .await
}
