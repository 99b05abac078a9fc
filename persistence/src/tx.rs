//! Write transactions.
//!
//! On SQLite a write transaction starts with `BEGIN IMMEDIATE`, so it takes the
//! write lock before its first read and never fails upgrading a read lock. On
//! PostgreSQL a write transaction takes no global lock: changes to the tree
//! serialise on the rows they touch (see `organizations::commands`), and audit
//! events are appended unsealed and chained after commit (see `audit`).

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::{Connection, QueryResult, SqliteConnection};

use crate::connection::DbConn;
use crate::error::StoreError;

fn on_sqlite(conn: &mut DbConn, op: impl FnOnce(&mut SqliteConnection) -> QueryResult<()>) -> QueryResult<()> {
    match conn {
        DbConn::Sqlite(c) => op(c),
        DbConn::Pg(_) => Ok(()),
    }
}

pub(crate) fn write<T>(
    conn: &mut DbConn,
    f: impl FnOnce(&mut DbConn) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    match conn {
        DbConn::Pg(_) => conn.transaction(f),
        DbConn::Sqlite(_) => {
            // Through diesel's own transaction manager, so statements that open
            // nested transactions (savepoints) inside `f` still work.
            on_sqlite(conn, |c| {
                AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")
            })?;
            match f(conn) {
                Ok(v) => {
                    on_sqlite(
                        conn,
                        <AnsiTransactionManager as TransactionManager<SqliteConnection>>::commit_transaction,
                    )?;
                    Ok(v)
                }
                Err(e) => {
                    // The original error matters more than a failed rollback.
                    let _ = on_sqlite(
                        conn,
                        <AnsiTransactionManager as TransactionManager<SqliteConnection>>::rollback_transaction,
                    );
                    Err(e)
                }
            }
        }
    }
}
