//! Long reads (CSV exports) on one connection inside one read-only
//! transaction, so every batch of an export sees the same snapshot: a row that
//! changes or moves while the file streams is neither skipped nor repeated.
//!
//! PostgreSQL runs the transaction at REPEATABLE READ; SQLite's deferred
//! transaction in WAL mode reads one snapshot from its first statement on.
//! [`crate::Store::snapshot`] opens it.

use crate::connection::DbConn;

/// A connection held in a read-only snapshot; the report batches read through it.
pub struct Snapshot<'a> {
    pub(crate) conn: &'a mut DbConn,
}
