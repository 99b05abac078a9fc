use actix_web::{get, web, HttpResponse};
use domain::actions::ReadAuditLog;
use persistence::Organization;
use serde::Deserialize;
use utoipa::IntoParams;

use super::view::{AuditEventPage, AuditEventView};
use super::AuditFilterQuery;
use crate::error::ApiError;
use crate::extract::StrictQuery;
use crate::guard::Guarded;
use crate::pagination;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditPageQuery {
    /// Page size, 1 to 500.
    #[param(minimum = 1, maximum = 500, default = 50)]
    limit: Option<i64>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// List audit events
///
/// Every recorded change to organisations in this organisation's subtree
/// (operators, API clients, customers, subscriptions, customer users…), oldest
/// first, filtered by actor, action, target and time range. Events are placed by
/// the path their organisation had when they were written: the log is
/// append-only, so a later move does not move earlier events. Retention is
/// unlimited. Needs the `admin` role.
#[utoipa::path(
    tag = "Audit",
    operation_id = "listAuditEvents",
    params(("id" = Uuid, Path, description = "Organisation id"), AuditFilterQuery, AuditPageQuery),
    responses(
        (status = 200, description = "A page of audit events", body = AuditEventPage),
    ),
    security(("bearer" = []))
)]
#[get("/organizations/{id}/audit-events")]
pub async fn list_audit_events(
    state: web::Data<AppState>,
    org: Guarded<ReadAuditLog, Organization>,
    filter: StrictQuery<AuditFilterQuery>,
    page: StrictQuery<AuditPageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (rows, limit) = org
        .db(&state, move |s, _, org| -> Result<_, ApiError> {
            let limit = pagination::limit(page.0.limit)?;
            let after = pagination::decode_uuid("audit_event", page.0.cursor.as_deref())?;
            let filter = filter.0.filter()?;
            Ok((s.audit_events(&org.path, &filter, after, limit + 1)?, limit))
        })
        .await?;
    let (rows, next_cursor) = pagination::split_page(rows, limit, |e| e.id.to_string(), "audit_event");
    Ok(HttpResponse::Ok().json(AuditEventPage {
        items: rows.into_iter().map(AuditEventView::from).collect(),
        next_cursor,
    }))
}
