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
mod webhooks;

use std::sync::{Arc, Mutex, MutexGuard};

use diesel::connection::SimpleConnection;
use diesel::r2d2::PooledConnection;
use diesel::{Connection, RunQueryDsl};

use crate::connection::{build_pool, Backend, Checkouts, DbConn, DbPool, Manager, PooledConn};
use crate::error::StoreError;
use crate::migrations;
use crate::snapshot::Snapshot;
use crate::tx::write;

#[derive(Clone)]
pub struct Store {
    pool: DbPool,
    backend: Backend,
    /// Inside [`Store::session`]: the one connection every call uses.
    bound: Option<Arc<Mutex<Slot>>>,
    checkouts: Checkouts,
}

type Slot = Option<PooledConnection<Manager>>;

/// A checked-out connection: the session's, or one of its own. The slot is
/// empty only after a dead connection was given up and no new one could be had.
enum Checkout<'a> {
    Own(Slot),
    Bound(MutexGuard<'a, Slot>),
}

impl Checkout<'_> {
    fn slot(&mut self) -> &mut Slot {
        match self {
            Checkout::Own(slot) => slot,
            Checkout::Bound(slot) => slot,
        }
    }

    fn db(&mut self) -> Result<&mut DbConn, StoreError> {
        match self.slot() {
            Some(conn) => {
                let conn: &mut PooledConn = conn;
                Ok(&mut conn.db)
            }
            None => Err(StoreError::Connect("the connection was lost".into())),
        }
    }

    /// Gives up a connection that died: the pool drops it (before a fresh one
    /// is taken, so a pool of one can still replace it).
    fn discard(&mut self) {
        if let Some(mut dead) = self.slot().take() {
            dead.discard();
        }
    }

    fn replace(&mut self, pool: &DbPool) -> Result<(), StoreError> {
        self.discard();
        *self.slot() = Some(pool.get()?);
        Ok(())
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("backend", &self.backend).finish()
    }
}

impl Store {
    /// Connects to `url` (`postgres://…`, or a SQLite path) with a pool of `max_size`.
    pub fn connect(url: &str, max_size: u32) -> Result<Self, StoreError> {
        let checkouts = Checkouts::default();
        Ok(Self {
            pool: build_pool(url, max_size, checkouts.clone())?,
            backend: Backend::from_url(url),
            bound: None,
            checkouts,
        })
    }

    /// How many connections the pool has handed out since it opened: tests
    /// check that a request takes one.
    pub fn checkouts(&self) -> u64 {
        self.checkouts.count()
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Runs `f` with every store call inside it on one pooled connection, checked
    /// out once: a request's statements cost one checkout, not one per call.
    pub fn session<T, E: From<StoreError>>(&self, f: impl FnOnce(&Store) -> Result<T, E>) -> Result<T, E> {
        let bound = Store {
            pool: self.pool.clone(),
            backend: self.backend,
            bound: Some(Arc::new(Mutex::new(Some(self.pool.get().map_err(StoreError::from)?)))),
            checkouts: self.checkouts.clone(),
        };
        f(&bound)
    }

    /// The session's connection, or (outside a session, or if a call nests
    /// inside another) one of its own.
    fn conn(&self) -> Result<Checkout<'_>, StoreError> {
        if let Some(mut guard) = self.bound.as_ref().and_then(|b| b.try_lock().ok()) {
            if guard.is_none() {
                *guard = Some(self.pool.get()?);
            }
            return Ok(Checkout::Bound(guard));
        }
        Ok(Checkout::Own(Some(self.pool.get()?)))
    }

    /// Runs reads on one connection; never a change. Reads are idempotent, so a
    /// read cut by a dead connection runs once more on a fresh one.
    fn read<T>(&self, f: impl Fn(&mut DbConn) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let mut c = self.conn()?;
        match f(c.db()?) {
            Err(e) if e.is_connection_lost() => {
                c.replace(&self.pool)?;
                f(c.db()?)
            }
            other => other,
        }
    }

    /// Runs a change in one write transaction. A change cut by a dead
    /// connection is not retried (it may have committed); the connection goes.
    fn change<T>(&self, f: impl FnOnce(&mut DbConn) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let mut c = self.conn()?;
        let result = write(c.db()?, f);
        if result.as_ref().is_err_and(StoreError::is_connection_lost) {
            c.discard();
        }
        result
    }

    /// Runs a change that can deadlock with another of its kind (moves of
    /// subtrees nested in each other lock rows from opposite ends): the
    /// database aborts one, which runs again from the start and sees the
    /// other's result.
    fn change_retrying_deadlocks<T>(&self, f: impl Fn(&mut DbConn) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let mut retries = 0;
        loop {
            match self.change(&f) {
                Err(e) if e.is_deadlock() && retries < 3 => retries += 1,
                other => return other,
            }
        }
    }

    /// Applies pending migrations; returns how many ran.
    pub fn migrate(&self) -> Result<usize, StoreError> {
        migrations::run_pending(self.conn()?.db()?)
    }

    /// Reverts every migration (tests of the down migrations only).
    pub fn revert_all_migrations(&self) -> Result<(), StoreError> {
        migrations::revert_all(self.conn()?.db()?)
    }

    /// Readiness: the database answers and no migration is pending.
    pub fn ready(&self) -> Result<bool, StoreError> {
        self.read(|c| {
            c.batch_execute("SELECT 1")?;
            Ok(!migrations::has_pending(c)?)
        })
    }

    /// Test support: see [`crate::testing::kill_connection`].
    pub(crate) fn kill_connection(&self, url: &str) -> Result<(), StoreError> {
        use diesel::sql_types::Integer;
        let mut c = self.conn()?;
        let DbConn::Pg(pg) = c.db()? else { return Ok(()) };
        let pid: i32 = diesel::select(diesel::dsl::sql::<Integer>("pg_backend_pid()")).get_result(pg)?;
        let mut admin = diesel::PgConnection::establish(url).map_err(|e| StoreError::Connect(e.to_string()))?;
        diesel::sql_query(format!("SELECT pg_terminate_backend({pid})")).execute(&mut admin)?;
        Ok(())
    }

    /// Runs `f` on one connection in one read-only snapshot transaction (the
    /// batches of a CSV export, which must all see the same data).
    pub fn snapshot<T, E: From<StoreError>>(&self, f: impl FnOnce(&mut Snapshot<'_>) -> Result<T, E>) -> Result<T, E> {
        // One long transaction: not retried (a CSV export restarts from its client).
        self.conn()?
            .db()?
            .transaction::<_, StoreError, _>(|c| {
                if let DbConn::Pg(_) = c {
                    diesel::sql_query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(c)?;
                }
                Ok(f(&mut Snapshot { conn: c }))
            })
            .map_err(E::from)?
    }
}
