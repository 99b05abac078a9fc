//! Audit events, written by every change inside its own transaction.
//!
//! The log is a hash chain: every event gets the next `seq` and
//! `hash = SHA-256(canonical content ‖ prev_hash)`, where `prev_hash` is the hash
//! of the event with the previous `seq` (the empty string for the first). Appends
//! serialise on a lock (PostgreSQL: a transaction-level advisory lock; SQLite:
//! writers already hold the database lock from `BEGIN IMMEDIATE`), so the chain
//! never forks. There is no update or delete path.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::connection::DbConn;
use crate::error::StoreError;
use crate::schema::{audit_events, organizations};
use crate::store::now;

/// An arbitrary constant naming the audit-append advisory lock (PostgreSQL).
const AUDIT_LOCK_KEY: i64 = 0x6175_6469_7421;

/// Who did it: an operator, an API client, or the system itself (bootstrap, seed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Operator(Uuid),
    ApiClient(Uuid),
    System,
}

impl Actor {
    fn parts(self) -> (&'static str, String) {
        match self {
            Actor::Operator(id) => ("operator", id.to_string()),
            Actor::ApiClient(id) => ("api_client", id.to_string()),
            Actor::System => ("system", "system".to_string()),
        }
    }
}

/// The caller's side of an audit event; the store fills in the target.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub actor: Actor,
    pub impersonator: Option<Uuid>,
}

impl AuditEntry {
    pub fn by(actor: Actor) -> Self {
        Self {
            actor,
            impersonator: None,
        }
    }
}

/// One event about a target in an organisation.
pub(crate) struct Event<'a> {
    pub organization_id: Uuid,
    pub action: &'a str,
    pub target_type: &'a str,
    pub target_id: Uuid,
    pub details: serde_json::Value,
}

/// An audit event as stored: written after [`seal`], and read back by the
/// audit log and the chain check.
#[derive(Insertable, Queryable, Selectable)]
#[diesel(table_name = audit_events)]
pub(crate) struct AuditRow {
    pub(crate) id: String,
    pub(crate) occurred_at: NaiveDateTime,
    pub(crate) actor_type: String,
    pub(crate) actor_id: String,
    pub(crate) impersonator_id: Option<String>,
    pub(crate) organization_id: String,
    pub(crate) action: String,
    pub(crate) target_type: String,
    pub(crate) target_id: String,
    pub(crate) details: String,
    pub(crate) seq: Option<i64>,
    pub(crate) hash: Option<String>,
    pub(crate) prev_hash: Option<String>,
    pub(crate) organization_path: String,
}

impl AuditRow {
    pub(crate) fn new(
        who: &AuditEntry,
        organization_id: Uuid,
        action: &str,
        target_type: &str,
        target_id: Uuid,
        details: serde_json::Value,
    ) -> Self {
        let (actor_type, actor_id) = who.actor.parts();
        Self {
            id: Uuid::now_v7().to_string(),
            occurred_at: now(),
            actor_type: actor_type.to_string(),
            actor_id,
            impersonator_id: who.impersonator.map(|i| i.to_string()),
            organization_id: organization_id.to_string(),
            action: action.to_string(),
            target_type: target_type.to_string(),
            target_id: target_id.to_string(),
            details: details.to_string(),
            seq: None,
            hash: None,
            prev_hash: None,
            organization_path: String::new(),
        }
    }

    pub(crate) fn content(&self, seq: i64) -> Content<'_> {
        Content {
            seq,
            id: &self.id,
            occurred_at: self.occurred_at,
            actor_type: &self.actor_type,
            actor_id: &self.actor_id,
            impersonator_id: self.impersonator_id.as_deref(),
            organization_id: &self.organization_id,
            organization_path: &self.organization_path,
            action: &self.action,
            target_type: &self.target_type,
            target_id: &self.target_id,
            details: &self.details,
        }
    }
}

/// What an event's hash covers, besides the previous hash.
pub(crate) struct Content<'a> {
    pub seq: i64,
    pub id: &'a str,
    pub occurred_at: NaiveDateTime,
    pub actor_type: &'a str,
    pub actor_id: &'a str,
    pub impersonator_id: Option<&'a str>,
    pub organization_id: &'a str,
    pub organization_path: &'a str,
    pub action: &'a str,
    pub target_type: &'a str,
    pub target_id: &'a str,
    pub details: &'a str,
}

impl Content<'_> {
    /// Hex SHA-256 of the canonical form: a JSON array of every field in a fixed
    /// order (timestamps as `YYYY-MM-DDTHH:MM:SS.ffffff`), then the previous hash.
    pub(crate) fn chain_hash(&self, prev_hash: &str) -> String {
        let canonical = serde_json::json!([
            self.seq,
            self.id,
            self.occurred_at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string(),
            self.actor_type,
            self.actor_id,
            self.impersonator_id,
            self.organization_id,
            self.organization_path,
            self.action,
            self.target_type,
            self.target_id,
            self.details,
            prev_hash,
        ])
        .to_string();
        let digest = Sha256::digest(canonical.as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// Takes the append lock (PostgreSQL; SQLite writers are serialised anyway).
/// Write transactions take it when they begin, before any row lock, so a
/// transaction never waits for it while holding rows another one needs.
pub(crate) fn lock_appends(conn: &mut DbConn) -> Result<(), StoreError> {
    if let DbConn::Pg(_) = conn {
        diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
            .bind::<diesel::sql_types::BigInt, _>(AUDIT_LOCK_KEY)
            .execute(conn)?;
    }
    Ok(())
}

/// Fills in the chain fields and organisation paths of rows about to be inserted,
/// in order, after taking the append lock. Runs inside the write transaction.
pub(crate) fn seal(conn: &mut DbConn, rows: &mut [AuditRow]) -> Result<(), StoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    lock_appends(conn)?;
    let tail: Option<(Option<i64>, Option<String>)> = audit_events::table
        .filter(audit_events::seq.is_not_null())
        .order(audit_events::seq.desc())
        .select((audit_events::seq, audit_events::hash))
        .first(conn)
        .optional()?;
    let (mut seq, mut prev) = match tail {
        Some((Some(s), hash)) => (s, hash.unwrap_or_default()),
        _ => (0, String::new()),
    };
    let mut paths: HashMap<String, String> = HashMap::new();
    for row in rows.iter_mut() {
        let path = match paths.get(&row.organization_id) {
            Some(p) => p.clone(),
            None => {
                let p: Option<String> = organizations::table
                    .find(row.organization_id.clone())
                    .select(organizations::path)
                    .first(conn)
                    .optional()?;
                let p = p.ok_or_else(|| {
                    StoreError::Corrupt(format!(
                        "audit event about unknown organisation `{}`",
                        row.organization_id
                    ))
                })?;
                paths.insert(row.organization_id.clone(), p.clone());
                p
            }
        };
        row.organization_path = path;
        seq += 1;
        let hash = row.content(seq).chain_hash(&prev);
        row.seq = Some(seq);
        row.prev_hash = Some(std::mem::replace(&mut prev, hash.clone()));
        row.hash = Some(hash);
    }
    Ok(())
}

pub(crate) fn record(conn: &mut DbConn, who: &AuditEntry, event: Event<'_>) -> Result<(), StoreError> {
    let mut row = [AuditRow::new(
        who,
        event.organization_id,
        event.action,
        event.target_type,
        event.target_id,
        event.details,
    )];
    seal(conn, &mut row)?;
    diesel::insert_into(audit_events::table).values(&row[0]).execute(conn)?;
    Ok(())
}
