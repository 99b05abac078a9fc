//! Connections: one enum over both backends, chosen from the URL scheme.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::r2d2::event::CheckoutEvent;
use diesel::r2d2::{HandleEvent, ManageConnection, Pool, R2D2Connection};
use diesel::{Connection, PgConnection, SqliteConnection};

use crate::availability::Availability;
use crate::error::StoreError;

#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

pub type DbPool = Pool<Manager>;

/// A pooled connection, and whether it failed at the connection level (then
/// the pool drops it instead of handing it out again).
pub struct PooledConn {
    pub(crate) db: DbConn,
    lost: bool,
    pub(crate) born: Instant,
}

impl PooledConn {
    /// Marks the connection as dead: the pool discards it when it comes back.
    pub(crate) fn discard(&mut self) {
        self.lost = true;
    }
}

/// Opens connections for the pool. Checkouts are not tested with a query (one
/// round trip per checkout): a dead connection shows itself by the error of the
/// statement that used it, which marks it lost ([`PooledConn::discard`]). A
/// failed attempt marks the database down ([`Availability`]).
#[derive(Debug)]
pub struct Manager {
    url: String,
    availability: Arc<Availability>,
}

impl ManageConnection for Manager {
    type Connection = PooledConn;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<PooledConn, diesel::r2d2::Error> {
        let mut db = match Backend::from_url(&self.url) {
            Backend::Postgres => PgConnection::establish(&self.url).map(DbConn::Pg),
            Backend::Sqlite => SqliteConnection::establish(sqlite_path(&self.url)).map(DbConn::Sqlite),
        }
        .inspect_err(|e| self.availability.failed(&e.to_string()))
        .map_err(diesel::r2d2::Error::ConnectionError)?;
        // Foreign keys on, and wait rather than fail on a lock.
        if let DbConn::Sqlite(c) = &mut db {
            c.batch_execute("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL;")
                .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(PooledConn {
            db,
            lost: false,
            born: Instant::now(),
        })
    }

    fn is_valid(&self, conn: &mut PooledConn) -> Result<(), diesel::r2d2::Error> {
        conn.db.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut PooledConn) -> bool {
        conn.lost || std::thread::panicking() || conn.db.is_broken()
    }
}

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

/// How many connections the pool has handed out, so a test can see how many
/// checkouts a request took.
#[derive(Debug, Default, Clone)]
pub(crate) struct Checkouts(Arc<AtomicU64>);

impl Checkouts {
    pub(crate) fn count(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

impl HandleEvent for Checkouts {
    fn handle_checkout(&self, _: CheckoutEvent) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

pub(crate) fn build_pool(
    url: &str,
    max_size: u32,
    availability: Arc<Availability>,
    checkouts: Checkouts,
) -> Result<DbPool, StoreError> {
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
        // Also caps r2d2's retry back-off at half of it, so a pending connection
        // is retried often enough to find a database that came back. Checkouts
        // wait longer than this (`Store::checkout`).
        .connection_timeout(Duration::from_secs(1))
        .test_on_check_out(false)
        .event_handler(Box::new(checkouts))
        // Failed attempts are reported once per outage by `Availability`, not
        // logged as an error each.
        .error_handler(Box::new(diesel::r2d2::NopErrorHandler))
        .build(Manager {
            url: url.to_string(),
            availability,
        })
        .map_err(|e| StoreError::Connect(e.to_string()))
}
