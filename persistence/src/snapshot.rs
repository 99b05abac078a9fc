//! Long reads (CSV exports) on one connection inside one read-only
//! transaction, so every batch of an export sees the same snapshot: a row that
//! changes or moves while the file streams is neither skipped nor repeated.
//!
//! PostgreSQL runs the transaction at REPEATABLE READ; SQLite's deferred
//! transaction in WAL mode reads one snapshot from its first statement on.

use diesel::{Connection, RunQueryDsl};

use crate::connection::DbConn;
use crate::error::StoreError;
use crate::store::Store;

/// A connection held in a read-only snapshot; the report batches read through it.
pub struct Snapshot<'a> {
    pub(crate) conn: &'a mut DbConn,
}

impl Store {
    /// Runs `f` on one connection in one read-only snapshot transaction.
    pub fn snapshot<T, E: From<StoreError>>(&self, f: impl FnOnce(&mut Snapshot<'_>) -> Result<T, E>) -> Result<T, E> {
        self.read(|conn| {
            conn.transaction::<_, StoreError, _>(|c| {
                if let DbConn::Pg(_) = c {
                    diesel::sql_query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(c)?;
                }
                Ok(f(&mut Snapshot { conn: c }))
            })
        })
        .map_err(E::from)?
    }
}
