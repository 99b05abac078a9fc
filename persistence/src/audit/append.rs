//! Appending to the chain, inside the change's write transaction.

use std::collections::HashMap;

use diesel::prelude::*;

use super::{AuditEntry, AuditRow, Event};
use crate::connection::DbConn;
use crate::error::StoreError;
use crate::schema::{audit_events, organizations};

/// An arbitrary constant naming the audit-append advisory lock (PostgreSQL).
const AUDIT_LOCK_KEY: i64 = 0x6175_6469_7421;

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
