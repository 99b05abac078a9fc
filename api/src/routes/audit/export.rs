use actix_web::{get, web, HttpResponse};
use domain::actions::ReadAuditLog;
use domain::codes;
use persistence::{Organization, Store};

use super::AuditFilterQuery;
use crate::csv_export::{self, BATCH};
use crate::error::ApiError;
use crate::extract::StrictQuery;
use crate::guard::Guarded;
use crate::problems::Problems;
use crate::state::AppState;

const COLUMNS: &[&str] = &[
    "id",
    "seq",
    "occurred_at",
    "actor_type",
    "actor_id",
    "impersonator_id",
    "organization_id",
    "action",
    "target_type",
    "target_id",
    "details",
    "hash",
    "prev_hash",
];

/// Export audit events as CSV
///
/// The same events as `listAuditEvents`, with the same filters, as one streamed
/// CSV file (RFC 4180, UTF-8, CRLF, header row; cells starting with `=`, `+`,
/// `-`, `@`, tab or CR are prefixed with `'`). File name
/// `audit-events-<organisation>-<date>.csv`. Columns: `id`, `seq` (chain
/// position, empty before the chain), `occurred_at` (RFC 3339 UTC),
/// `actor_type` (`operator`, `api_client`, `system`), `actor_id`,
/// `impersonator_id`, `organization_id`, `action`, `target_type`, `target_id`,
/// `details` (JSON), `hash`, `prev_hash`. Needs the `admin` role.
#[utoipa::path(
    tag = "Audit",
    operation_id = "exportAuditEvents",
    params(("id" = Uuid, Path, description = "Organisation id"), AuditFilterQuery),
    responses(
        (status = 200, description = "The audit events, streamed", content_type = "text/csv", body = String,
            headers(("Content-Disposition" = String, description = "`attachment` with the file name"))),
        Problems<(codes::RateLimited,)>,
    ),
    security(("bearer" = []))
)]
#[get("/organizations/{id}/audit-events.csv")]
pub async fn export_audit_events(
    state: web::Data<AppState>,
    org: Guarded<ReadAuditLog, Organization>,
    filter: StrictQuery<AuditFilterQuery>,
) -> Result<HttpResponse, ApiError> {
    let filter = filter.0.filter()?;
    let open = move |s: &Store| {
        let (_, org) = org.check(s)?;
        // The file is one snapshot: seal what committed before it opens.
        s.seal_audit_backlog()?;
        Ok(org)
    };
    csv_export::response(&state, "audit-events", COLUMNS, open, move |org, snapshot, sink| {
        csv_export::write_all(
            sink,
            |after| snapshot.audit_event_batch(&org.path, &filter, after, BATCH),
            |e| e.id,
            |sink, e| {
                sink.row([
                    e.id.to_string(),
                    e.seq.map(|s| s.to_string()).unwrap_or_default(),
                    e.occurred_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                    e.actor_type.clone(),
                    e.actor_id.clone(),
                    e.impersonator_id.clone().unwrap_or_default(),
                    e.organization_id.to_string(),
                    e.action.clone(),
                    e.target_type.clone(),
                    e.target_id.clone(),
                    e.details.to_string(),
                    e.hash.clone().unwrap_or_default(),
                    e.prev_hash.clone().unwrap_or_default(),
                ])
            },
        )
    })
    .await
}
