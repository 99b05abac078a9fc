//! Embedded migrations, one folder per backend with identical version names.

use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::connection::DbConn;
use crate::error::StoreError;

const POSTGRES: EmbeddedMigrations = embed_migrations!("../migrations/postgres");
const SQLITE: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");

fn source(conn: &DbConn) -> EmbeddedMigrations {
    match conn {
        DbConn::Pg(_) => POSTGRES,
        DbConn::Sqlite(_) => SQLITE,
    }
}

pub(crate) fn run_pending(conn: &mut DbConn) -> Result<usize, StoreError> {
    let set = source(conn);
    conn.run_pending_migrations(set)
        .map(|v| v.len())
        .map_err(|e| StoreError::Migration(e.to_string()))
}

pub(crate) fn has_pending(conn: &mut DbConn) -> Result<bool, StoreError> {
    let set = source(conn);
    conn.has_pending_migration(set)
        .map_err(|e| StoreError::Migration(e.to_string()))
}

/// Reverts every applied migration (used by the up → down → up test).
pub(crate) fn revert_all(conn: &mut DbConn) -> Result<(), StoreError> {
    let set = source(conn);
    conn.revert_all_migrations(set)
        .map(|_| ())
        .map_err(|e| StoreError::Migration(e.to_string()))
}
