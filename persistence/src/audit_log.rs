//! Reading the audit log: subtree lists with filters (keyset on id, oldest
//! first), and walking the hash chain in `seq` order.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use domain::TreePath;
use uuid::Uuid;

use crate::audit::AuditRow;
use crate::connection::DbConn;
use crate::error::StoreError;
use crate::schema::audit_events;
use crate::snapshot::Snapshot;
use crate::store::{parse_uuid, utc, Store};

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
    pub action: Option<String>,
    pub target: Option<Uuid>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// What `audit verify` found.
#[derive(Debug, Clone)]
pub struct ChainReport {
    /// Chained events checked before stopping.
    pub verified: u64,
    /// Events written before the chain existed (not covered).
    pub unchained: i64,
    /// The last verified event: its `seq` and hash (record it elsewhere to detect truncation).
    pub head: Option<(i64, String)>,
    /// The first event that does not link.
    pub broken: Option<BrokenLink>,
}

#[derive(Debug, Clone)]
pub struct BrokenLink {
    pub id: String,
    pub seq: i64,
    pub reason: String,
}

impl AuditRow {
    fn into_model(self) -> Result<AuditEvent, StoreError> {
        Ok(AuditEvent {
            id: parse_uuid(&self.id)?,
            seq: self.seq,
            occurred_at: utc(self.occurred_at),
            actor_type: self.actor_type,
            actor_id: self.actor_id,
            impersonator_id: self.impersonator_id,
            organization_id: parse_uuid(&self.organization_id)?,
            action: self.action,
            target_type: self.target_type,
            target_id: self.target_id,
            details: serde_json::from_str(&self.details)
                .map_err(|e| StoreError::Corrupt(format!("audit details of `{}`: {e}", self.id)))?,
            hash: self.hash,
            prev_hash: self.prev_hash,
        })
    }
}

impl Store {
    /// Audit events about organisations in `root`'s subtree (by the path each
    /// organisation had when the event was written), oldest first, after `after`.
    pub fn audit_events(
        &self,
        root: &TreePath,
        filter: &AuditFilter,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<AuditEvent>, StoreError> {
        self.read(|c| page(c, root, filter, after, limit))
    }

    /// Walks the chain in `seq` order, `batch` events per query, and stops at the
    /// first event whose `seq`, `prev_hash` or `hash` does not match.
    pub fn verify_audit_chain(&self, batch: i64) -> Result<ChainReport, StoreError> {
        let unchained: i64 = self.read(|c| {
            Ok(audit_events::table
                .filter(audit_events::seq.is_null())
                .count()
                .get_result(c)?)
        })?;
        let mut report = ChainReport {
            verified: 0,
            unchained,
            head: None,
            broken: None,
        };
        let mut last: Option<(i64, String)> = None;
        loop {
            let after = last.as_ref().map_or(0, |(s, _)| *s);
            let rows: Vec<AuditRow> = self.read(|c| {
                Ok(audit_events::table
                    .filter(audit_events::seq.gt(after))
                    .order(audit_events::seq.asc())
                    .select(AuditRow::as_select())
                    .limit(batch.max(1))
                    .load(c)?)
            })?;
            if rows.is_empty() {
                break;
            }
            for row in rows {
                let seq = row.seq.unwrap_or_default();
                let broken = |reason: String| BrokenLink {
                    id: row.id.clone(),
                    seq,
                    reason,
                };
                let (expected_seq, expected_prev) = match &last {
                    Some((s, h)) => (Some(s + 1), h.as_str()),
                    None => (None, ""),
                };
                let problem = if expected_seq.is_some_and(|e| e != seq) {
                    Some(format!(
                        "seq {seq} follows seq {}: events are missing",
                        expected_seq.map_or(0, |e| e - 1)
                    ))
                } else if row.prev_hash.as_deref() != Some(expected_prev) {
                    Some("prev_hash does not match the previous event's hash".to_string())
                } else {
                    let computed = row.content(seq).chain_hash(expected_prev);
                    (row.hash.as_deref() != Some(computed.as_str()))
                        .then(|| "hash does not match the event's content".to_string())
                };
                if let Some(reason) = problem {
                    report.broken = Some(broken(reason));
                    report.head = last;
                    return Ok(report);
                }
                report.verified += 1;
                last = Some((seq, row.hash.clone().unwrap_or_default()));
            }
        }
        report.head = last;
        Ok(report)
    }
}

impl Snapshot<'_> {
    /// [`Store::audit_events`] inside an export's snapshot.
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

/// One page of [`Store::audit_events`], on the given connection.
fn page(
    conn: &mut DbConn,
    root: &TreePath,
    filter: &AuditFilter,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<AuditEvent>, StoreError> {
    let mut q = audit_events::table
        .filter(audit_events::organization_path.ge(root.as_str().to_string()))
        .filter(audit_events::organization_path.lt(root.upper_bound()))
        .select(AuditRow::as_select())
        .order(audit_events::id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(a) = filter.actor {
        q = q.filter(audit_events::actor_id.eq(a.to_string()));
    }
    if let Some(a) = &filter.action {
        q = q.filter(audit_events::action.eq(a.clone()));
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
