//! The one entry point the api crate uses. Every method either reads on one
//! pooled connection ([`Store::read`]) or changes in one write transaction
//! ([`Store::change`]); the modules it calls work on the connection they are
//! given and never open a transaction of their own.

mod activation_links;
mod api_clients;
mod applications;
mod audit_log;
mod billing;
mod bulk;
mod customer_users;
mod mail_outbox;
mod operators;
mod organizations;
mod service_instances;
mod subscriptions;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{ConnectionManager, PooledConnection};
use diesel::{Connection, RunQueryDsl};

use crate::connection::{build_pool, Backend, DbConn, DbPool};
use crate::error::StoreError;
use crate::migrations;
use crate::snapshot::Snapshot;
use crate::tx::write;

#[derive(Clone)]
pub struct Store {
    pool: DbPool,
    backend: Backend,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("backend", &self.backend).finish()
    }
}

impl Store {
    /// Connects to `url` (`postgres://…`, or a SQLite path) with a pool of `max_size`.
    pub fn connect(url: &str, max_size: u32) -> Result<Self, StoreError> {
        Ok(Self {
            pool: build_pool(url, max_size)?,
            backend: Backend::from_url(url),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    fn conn(&self) -> Result<PooledConnection<ConnectionManager<DbConn>>, StoreError> {
        Ok(self.pool.get()?)
    }

    /// Runs reads on one pooled connection; never a change.
    fn read<T>(&self, f: impl FnOnce(&mut DbConn) -> Result<T, StoreError>) -> Result<T, StoreError> {
        f(&mut *self.conn()?)
    }

    /// Runs a change in one write transaction.
    fn change<T>(&self, f: impl FnOnce(&mut DbConn) -> Result<T, StoreError>) -> Result<T, StoreError> {
        write(&mut *self.conn()?, f)
    }

    /// Applies pending migrations; returns how many ran.
    pub fn migrate(&self) -> Result<usize, StoreError> {
        migrations::run_pending(&mut *self.conn()?)
    }

    /// Reverts every migration (tests of the down migrations only).
    pub fn revert_all_migrations(&self) -> Result<(), StoreError> {
        migrations::revert_all(&mut *self.conn()?)
    }

    /// Readiness: the database answers and no migration is pending.
    pub fn ready(&self) -> Result<bool, StoreError> {
        let mut c = self.conn()?;
        c.batch_execute("SELECT 1")?;
        Ok(!migrations::has_pending(&mut c)?)
    }

    /// Runs `f` on one connection in one read-only snapshot transaction (the
    /// batches of a CSV export, which must all see the same data).
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
