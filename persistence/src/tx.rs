//! Write transactions.
//!
//! On SQLite a write transaction starts with `BEGIN IMMEDIATE`, so it takes the
//! write lock before its first read and never fails upgrading a read lock. On
//! PostgreSQL, changes to the tree's shape take an advisory lock: creates share
//! it, moves hold it alone, so no create can attach a child under a path that a
//! concurrent move is rewriting.

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::{Connection, QueryResult, RunQueryDsl, SqliteConnection};

use crate::connection::DbConn;
use crate::error::StoreError;

/// An arbitrary constant naming the tree-shape advisory lock.
const TREE_LOCK_KEY: i64 = 0x7072_7472_6565;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TreeLock {
    None,
    /// Adds nodes under existing paths.
    Shared,
    /// Rewrites paths.
    Exclusive,
}

fn on_sqlite(conn: &mut DbConn, op: impl FnOnce(&mut SqliteConnection) -> QueryResult<()>) -> QueryResult<()> {
    match conn {
        DbConn::Sqlite(c) => op(c),
        DbConn::Pg(_) => Ok(()),
    }
}

pub(crate) fn write<T>(
    conn: &mut DbConn,
    lock: TreeLock,
    f: impl FnOnce(&mut DbConn) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    match conn {
        DbConn::Pg(_) => conn.transaction(|c| {
            let sql = match lock {
                TreeLock::None => None,
                TreeLock::Shared => Some("SELECT pg_advisory_xact_lock_shared($1)"),
                TreeLock::Exclusive => Some("SELECT pg_advisory_xact_lock($1)"),
            };
            if let Some(sql) = sql {
                diesel::sql_query(sql)
                    .bind::<diesel::sql_types::BigInt, _>(TREE_LOCK_KEY)
                    .execute(c)?;
            }
            // Locks in one order everywhere (tree, audit appends, then rows): no deadlocks.
            crate::audit::lock_appends(c)?;
            f(c)
        }),
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
