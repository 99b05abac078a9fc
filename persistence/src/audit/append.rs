//! Appending events inside the change's write transaction.
//!
//! PostgreSQL: events are inserted unsealed (the column default records the
//! transaction id) and take no lock; [`super::sealer`] chains them after commit.
//! SQLite: the writer already holds the database lock (`BEGIN IMMEDIATE`), so
//! events are chained as they are inserted, in the same format.

use std::collections::HashMap;

use diesel::prelude::*;
use domain::TreePath;

use super::{AuditEntry, AuditRow, Event};
use crate::connection::DbConn;
use crate::error::StoreError;
use crate::schema::{audit_events, organizations};

/// Rows per INSERT statement (well under both backends' bind-parameter limits).
const ROWS_PER_STATEMENT: usize = 500;

/// Fills in the organisation path of rows that have none yet, one read per organisation.
pub(crate) fn fill_paths(conn: &mut DbConn, rows: &mut [AuditRow]) -> Result<(), StoreError> {
    let mut paths: HashMap<String, String> = HashMap::new();
    for row in rows.iter_mut().filter(|r| r.organization_path.is_empty()) {
        if let Some(p) = paths.get(&row.organization_id) {
            row.organization_path = p.clone();
            continue;
        }
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
        row.organization_path = p;
    }
    Ok(())
}

/// Inserts events whose organisation paths are filled in: unsealed on
/// PostgreSQL, chained at once on SQLite.
pub(crate) fn append(conn: &mut DbConn, rows: &mut [AuditRow]) -> Result<(), StoreError> {
    match conn {
        DbConn::Pg(c) => {
            for chunk in rows.chunks(ROWS_PER_STATEMENT) {
                diesel::insert_into(audit_events::table).values(chunk).execute(c)?;
            }
        }
        DbConn::Sqlite(c) => {
            super::chain_after_tail(c, rows)?;
            for chunk in rows.chunks(ROWS_PER_STATEMENT) {
                diesel::insert_into(audit_events::table).values(chunk).execute(c)?;
            }
        }
    }
    Ok(())
}

/// Records one event, reading its organisation's path.
pub(crate) fn record(conn: &mut DbConn, who: &AuditEntry, event: Event<'_>) -> Result<(), StoreError> {
    let mut row = [AuditRow::from_event(who, event)];
    fill_paths(conn, &mut row)?;
    append(conn, &mut row)
}

/// Records one event about an organisation whose path the caller holds (it
/// just wrote or locked the row), so nothing is read back.
pub(crate) fn record_at(
    conn: &mut DbConn,
    who: &AuditEntry,
    event: Event<'_>,
    path: &TreePath,
) -> Result<(), StoreError> {
    let mut row = AuditRow::from_event(who, event);
    row.organization_path = path.as_str().to_string();
    append(conn, std::slice::from_mut(&mut row))
}
