//! The dispatcher's side of the store: sealed audit events after the watermark,
//! and one transaction that writes a batch's webhook events and deliveries and
//! moves the watermark, only if no other dispatcher moved it first.
//!
//! The audit chain's `seq` is gap-free and only grows at its end (SQLite seals
//! as it appends; PostgreSQL's sealer chains committed events in order), so
//! "everything after the watermark" never misses an event or sees one twice.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use domain::TreePath;
use uuid::Uuid;

use super::deliveries::{insert_deliveries, NewDelivery};
use crate::bulk::insert_chunks;
use crate::connection::DbConn;
use crate::error::StoreError;
use crate::ids::parse_uuid;
use crate::schema::{audit_events, webhook_dispatch, webhook_events};
use crate::time::{naive, now, utc};

/// An audit event the dispatcher turns into a webhook event.
#[derive(Debug, Clone)]
pub struct SealedEvent {
    pub id: Uuid,
    pub seq: i64,
    pub occurred_at: DateTime<Utc>,
    pub organization_id: Uuid,
    /// The organisation's path when the event was written.
    pub organization_path: TreePath,
    pub action: String,
    pub target_type: String,
    pub target_id: String,
}

/// Sealed events after the watermark, and the watermark they follow.
#[derive(Debug, Clone)]
pub struct DispatchBatch {
    pub after_seq: i64,
    pub events: Vec<SealedEvent>,
}

/// One webhook event with its deliveries (none: no endpoint wants it, and no
/// row is written).
#[derive(Debug, Clone)]
pub struct DispatchedEvent {
    pub id: Uuid,
    pub event_type: String,
    pub organization_id: Uuid,
    pub occurred_at: DateTime<Utc>,
    pub deliveries: Vec<NewDelivery>,
}

#[derive(Queryable)]
struct Row {
    id: String,
    seq: Option<i64>,
    occurred_at: NaiveDateTime,
    organization_id: String,
    organization_path: String,
    action: String,
    target_type: String,
    target_id: String,
}

pub(crate) fn watermark(conn: &mut DbConn) -> Result<i64, StoreError> {
    Ok(webhook_dispatch::table
        .find(1)
        .select(webhook_dispatch::last_seq)
        .first(conn)?)
}

/// Up to `limit` sealed events after the watermark, in chain order.
pub(crate) fn backlog(conn: &mut DbConn, limit: i64) -> Result<DispatchBatch, StoreError> {
    let after_seq = watermark(conn)?;
    let rows: Vec<Row> = audit_events::table
        .filter(audit_events::seq.gt(after_seq))
        .order(audit_events::seq.asc())
        .limit(limit)
        .select((
            audit_events::id,
            audit_events::seq,
            audit_events::occurred_at,
            audit_events::organization_id,
            audit_events::organization_path,
            audit_events::action,
            audit_events::target_type,
            audit_events::target_id,
        ))
        .load(conn)?;
    let events = rows
        .into_iter()
        .map(|r| {
            Ok(SealedEvent {
                id: parse_uuid(&r.id)?,
                seq: r.seq.unwrap_or_default(),
                occurred_at: utc(r.occurred_at),
                organization_id: parse_uuid(&r.organization_id)?,
                organization_path: TreePath::parse(&r.organization_path)
                    .map_err(|_| StoreError::Corrupt(format!("audit event {}: bad path", r.id)))?,
                action: r.action,
                target_type: r.target_type,
                target_id: r.target_id,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(DispatchBatch { after_seq, events })
}

/// Writes the events that have deliveries (due at `at`) and moves the
/// watermark from `from` to `to`, in the caller's transaction. Returns false (and writes nothing the
/// caller keeps: it rolls back) when another dispatcher moved it first.
pub(crate) fn commit(
    conn: &mut DbConn,
    from: i64,
    to: i64,
    events: &[DispatchedEvent],
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    super::relaxed_commit(conn)?;
    let moved = diesel::update(
        webhook_dispatch::table
            .find(1)
            .filter(webhook_dispatch::last_seq.eq(from)),
    )
    .set(webhook_dispatch::last_seq.eq(to))
    .execute(conn)?;
    if moved == 0 {
        return Ok(false);
    }
    let wanted: Vec<&DispatchedEvent> = events.iter().filter(|e| !e.deliveries.is_empty()).collect();
    let created = now();
    let rows: Vec<_> = wanted
        .iter()
        .map(|e| {
            (
                webhook_events::id.eq(e.id.to_string()),
                webhook_events::event_type.eq(e.event_type.as_str()),
                webhook_events::organization_id.eq(e.organization_id.to_string()),
                webhook_events::occurred_at.eq(naive(e.occurred_at)),
                webhook_events::created_at.eq(created),
            )
        })
        .collect();
    insert_chunks!(conn, webhook_events::table, rows);
    let deliveries: Vec<(Uuid, &NewDelivery)> = wanted
        .iter()
        .flat_map(|e| e.deliveries.iter().map(|d| (e.id, d)))
        .collect();
    insert_deliveries(conn, &deliveries, at)?;
    Ok(true)
}

pub(crate) fn insert_event(
    conn: &mut DbConn,
    id: Uuid,
    event_type: &str,
    organization_id: Uuid,
    occurred_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    diesel::insert_into(webhook_events::table)
        .values((
            webhook_events::id.eq(id.to_string()),
            webhook_events::event_type.eq(event_type),
            webhook_events::organization_id.eq(organization_id.to_string()),
            webhook_events::occurred_at.eq(naive(occurred_at)),
            webhook_events::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}
