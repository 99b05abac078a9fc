//! Reading the audit log: subtree lists with filters (keyset on id, oldest first).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use domain::{AuditAction, TreePath, UnknownAuditAction};
use uuid::Uuid;

use super::AuditRow;
use crate::connection::DbConn;
use crate::error::StoreError;
use crate::schema::audit_events;
use crate::snapshot::Snapshot;

/// One stored audit event.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub id: Uuid,
    /// Position in the hash chain; `None` for events older than the chain.
    pub seq: Option<i64>,
    pub occurred_at: DateTime<Utc>,
    /// `operator`, `api_client` or `system`.
    pub actor_type: String,
    /// The actor's id (`system` for the system).
    pub actor_id: String,
    pub impersonator_id: Option<String>,
    pub organization_id: Uuid,
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    pub details: serde_json::Value,
    pub hash: Option<String>,
    pub prev_hash: Option<String>,
}

/// Filters of an audit list; `None` matches everything. `from` is inclusive, `to` exclusive.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<Uuid>,
    /// A name that is no action (`Err`) is not refused: it matches no event.
    pub action: Option<Result<AuditAction, UnknownAuditAction>>,
    pub target: Option<Uuid>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

impl Snapshot<'_> {
    /// [`crate::Store::audit_events`] inside an export's snapshot.
    pub fn audit_event_batch(
        &mut self,
        root: &TreePath,
        filter: &AuditFilter,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<AuditEvent>, StoreError> {
        page(self.conn, root, filter, after, limit)
    }
}

/// One page of [`crate::Store::audit_events`], on the given connection.
pub(crate) fn page(
    conn: &mut DbConn,
    root: &TreePath,
    filter: &AuditFilter,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<AuditEvent>, StoreError> {
    // Sealed events, and those from before the chain; never one still unsealed.
    let mut q = audit_events::table
        .filter(audit_events::seq.is_not_null().or(audit_events::xact_id.is_null()))
        .filter(audit_events::organization_path.ge(root.as_str().to_string()))
        .filter(audit_events::organization_path.lt(root.upper_bound()))
        .select(AuditRow::as_select())
        .order(audit_events::id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(a) = filter.actor {
        q = q.filter(audit_events::actor_id.eq(a.to_string()));
    }
    match &filter.action {
        Some(Ok(a)) => q = q.filter(audit_events::action.eq(a.as_str())),
        Some(Err(_)) => return Ok(Vec::new()),
        None => {}
    }
    if let Some(t) = filter.target {
        q = q.filter(audit_events::target_id.eq(t.to_string()));
    }
    if let Some(f) = filter.from {
        q = q.filter(audit_events::occurred_at.ge(f.naive_utc()));
    }
    if let Some(t) = filter.to {
        q = q.filter(audit_events::occurred_at.lt(t.naive_utc()));
    }
    if let Some(a) = after {
        q = q.filter(audit_events::id.gt(a.to_string()));
    }
    q.load(conn)?.into_iter().map(AuditRow::into_model).collect()
}

/// How many events are about `target` (tests check that every change wrote one).
pub(crate) fn event_count(conn: &mut DbConn, target: Uuid) -> Result<i64, StoreError> {
    Ok(audit_events::table
        .filter(audit_events::target_id.eq(target.to_string()))
        .count()
        .get_result(conn)?)
}
