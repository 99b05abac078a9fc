//! Connections: one enum over both backends, chosen from the URL scheme.

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool};
use diesel::{Connection, PgConnection, SqliteConnection};

use crate::error::StoreError;

#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

pub type DbPool = Pool<ConnectionManager<DbConn>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

impl Backend {
    /// `postgres://` or `postgresql://` selects PostgreSQL; anything else is a SQLite
    /// file (`sqlite://path`, `file:path` or a bare path).
    pub fn from_url(url: &str) -> Self {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Self::Postgres
        } else {
            Self::Sqlite
        }
    }
}

/// The SQLite path diesel understands, from the forms we accept.
pub(crate) fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url)
}

/// Opens one connection of the right variant, reporting the backend's own error
/// (diesel's multi-connection `establish` would hide it).
pub(crate) fn establish(url: &str) -> Result<DbConn, StoreError> {
    match Backend::from_url(url) {
        Backend::Postgres => PgConnection::establish(url).map(DbConn::Pg),
        Backend::Sqlite => SqliteConnection::establish(sqlite_path(url)).map(DbConn::Sqlite),
    }
    .map_err(|e| StoreError::Connect(e.to_string()))
}

/// Per-connection SQLite settings: foreign keys on, and wait rather than fail on a lock.
#[derive(Debug)]
struct SqlitePragmas;

impl CustomizeConnection<DbConn, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut DbConn) -> Result<(), diesel::r2d2::Error> {
        if let DbConn::Sqlite(c) = conn {
            c.batch_execute("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL;")
                .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

pub(crate) fn build_pool(url: &str, max_size: u32) -> Result<DbPool, StoreError> {
    let backend = Backend::from_url(url);
    let target = match backend {
        Backend::Postgres => url.to_string(),
        Backend::Sqlite => sqlite_path(url).to_string(),
    };
    // Fail fast with the real error, and switch WAL on once for the file.
    let mut first = establish(url)?;
    if let DbConn::Sqlite(c) = &mut first {
        c.batch_execute("PRAGMA journal_mode = WAL;")?;
    }
    drop(first);
    Pool::builder()
        .max_size(max_size)
        // Connections open on demand: an idle pool opens none in the background,
        // so a short-lived command never exits while one is being established.
        .min_idle(Some(0))
        .connection_timeout(Duration::from_secs(6))
        .test_on_check_out(true)
        .connection_customizer(Box::new(SqlitePragmas))
        .build(ConnectionManager::<DbConn>::new(target))
        .map_err(|e| StoreError::Connect(e.to_string()))
}
