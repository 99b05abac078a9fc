//! The audit log of an organisation's subtree: a paged list and a CSV export.

mod export;
mod list;
pub mod view;

use chrono::{DateTime, Utc};
use persistence::AuditFilter;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::error::ApiError;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list::list_audit_events)
        .service(export::export_audit_events);
}

/// The filters both the list and the export take.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFilterQuery {
    /// Only events by this operator or API client.
    actor: Option<Uuid>,
    /// Only this action, e.g. `organization.moved`.
    #[param(max_length = 100)]
    action: Option<String>,
    /// Only events about this target (organisation, operator, subscription, …).
    target: Option<Uuid>,
    /// Only events at or after this instant (RFC 3339).
    from: Option<DateTime<Utc>>,
    /// Only events before this instant (RFC 3339).
    to: Option<DateTime<Utc>>,
}

impl AuditFilterQuery {
    fn filter(&self) -> Result<AuditFilter, ApiError> {
        crate::pagination::bounded("action", self.action.as_deref(), 100)?;
        Ok(AuditFilter {
            actor: self.actor,
            action: self.action.as_deref().map(str::parse),
            target: self.target,
            from: self.from,
            to: self.to,
        })
    }
}
