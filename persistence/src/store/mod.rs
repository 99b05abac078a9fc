//! The one entry point the api crate uses. Every method either reads on one
//! pooled connection ([`Store::read`]) or changes in one write transaction
//! ([`Store::change`]); the modules it calls work on the connection they are
//! given and never open a transaction of their own.

mod activation_links;
mod api_clients;
mod applications;
mod audit_log;
mod billing;
mod brands;
mod bulk;
mod credentials;
mod customer_users;
mod idempotency;
mod mail_outbox;
mod operators;
mod organizations;
mod service_instances;
mod services;
mod subscriptions;
mod webhooks;

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::r2d2::PooledConnection;
use diesel::{Connection, RunQueryDsl};

use crate::availability::{Availability, Gate};
use crate::connection::{build_pool, establish, Backend, Checkouts, DbConn, DbPool, Manager, PooledConn};
use crate::error::StoreError;
use crate::idempotency::KeyClaim;
use crate::migrations;
use crate::snapshot::Snapshot;
use crate::tx::write;

pub use credentials::{CustomerSignInLookup, SignInLookup};
pub use mail_outbox::MailBacklog;
pub use operators::Imported;

/// How long a checkout waits for a connection while the database is up (all
/// of them busy); while it is down, a checkout fails at once.
const CHECKOUT_PATIENCE: Duration = Duration::from_secs(6);
/// Readiness answers within this, whatever the pool is doing.
const READY_PATIENCE: Duration = Duration::from_millis(300);
/// A waiting checkout looks at the database's availability this often.
const CHECKOUT_SLICE: Duration = Duration::from_millis(50);

/// The pool's connections, for operators' gauges.
#[derive(Debug, Clone, Copy)]
pub struct PoolStatus {
    pub in_use: u32,
    pub idle: u32,
    /// Callers waiting for a connection.
    pub waiting: u64,
}

#[derive(Clone)]
pub struct Store {
    pool: DbPool,
    backend: Backend,
    url: Arc<str>,
    availability: Arc<Availability>,
    /// Inside [`Store::session`]: the one connection every call uses.
    bound: Option<Arc<Mutex<Slot>>>,
    /// The Idempotency-Key this store's changes commit under ([`Store::with_claim`]).
    claim: Option<Arc<KeyClaim>>,
    checkouts: Checkouts,
}

type Slot = Option<PooledConnection<Manager>>;

/// A checked-out connection: the session's, or one of its own. The slot is
/// empty only after a dead connection was given up and no new one could be had.
enum Checkout<'a> {
    Own(Box<Slot>),
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

    fn replace(&mut self, store: &Store) -> Result<(), StoreError> {
        self.discard();
        *self.slot() = Some(store.checkout(CHECKOUT_PATIENCE)?);
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
        let availability = Arc::new(Availability::default());
        let checkouts = Checkouts::default();
        Ok(Self {
            pool: build_pool(url, max_size, availability.clone(), checkouts.clone())?,
            backend: Backend::from_url(url),
            url: url.into(),
            availability,
            bound: None,
            claim: None,
            checkouts,
        })
    }

    /// How many connections the pool has handed out since it opened: tests
    /// check that a request takes one.
    pub fn checkouts(&self) -> u64 {
        self.checkouts.count()
    }

    /// Connections in use, idle, and callers waiting for one.
    pub fn pool_status(&self) -> PoolStatus {
        let state = self.pool.state();
        PoolStatus {
            in_use: state.connections - state.idle_connections,
            idle: state.idle_connections,
            waiting: self.availability.waiting.load(Ordering::Relaxed),
        }
    }

    /// A pooled connection within `patience`; at once an error while the
    /// database is known to be down (one caller now and then probes it).
    fn checkout(&self, patience: Duration) -> Result<PooledConnection<Manager>, StoreError> {
        match self.availability.gate() {
            Gate::Open => {}
            Gate::Down(reason) => return Err(StoreError::Connect(reason)),
            Gate::Probe => match establish(&self.url) {
                Ok(_) => self.availability.recovered(),
                Err(e) => {
                    if let StoreError::Connect(why) = &e {
                        self.availability.failed(why);
                    }
                    return Err(e);
                }
            },
        }
        self.availability.waiting.fetch_add(1, Ordering::Relaxed);
        let got = self.wait_for_connection(patience);
        self.availability.waiting.fetch_sub(1, Ordering::Relaxed);
        got
    }

    fn wait_for_connection(&self, patience: Duration) -> Result<PooledConnection<Manager>, StoreError> {
        let deadline = Instant::now() + patience;
        loop {
            let slice = deadline.saturating_duration_since(Instant::now()).min(CHECKOUT_SLICE);
            match self.pool.get_timeout(slice) {
                Ok(mut conn) if self.availability.predates_outage(conn.born) => conn.discard(),
                Ok(conn) => {
                    self.availability.recovered();
                    return Ok(conn);
                }
                Err(e) => {
                    if let Some(reason) = self.availability.down_reason() {
                        return Err(StoreError::Connect(reason));
                    }
                    if Instant::now() >= deadline {
                        return Err(StoreError::Pool(e));
                    }
                }
            }
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Runs `f` with every store call inside it on one pooled connection, checked
    /// out once: a request's statements cost one checkout, not one per call.
    pub fn session<T, E: From<StoreError>>(&self, f: impl FnOnce(&Store) -> Result<T, E>) -> Result<T, E> {
        let conn = self.checkout(CHECKOUT_PATIENCE)?;
        let bound = Store {
            bound: Some(Arc::new(Mutex::new(Some(conn)))),
            ..self.clone()
        };
        f(&bound)
    }

    /// The session's connection, or (outside a session, or if a call nests
    /// inside another) one of its own.
    fn conn(&self) -> Result<Checkout<'_>, StoreError> {
        if let Some(mut guard) = self.bound.as_ref().and_then(|b| b.try_lock().ok()) {
            if guard.is_none() {
                *guard = Some(self.checkout(CHECKOUT_PATIENCE)?);
            }
            return Ok(Checkout::Bound(guard));
        }
        Ok(Checkout::Own(Box::new(Some(self.checkout(CHECKOUT_PATIENCE)?))))
    }

    /// Runs reads on one connection; never a change. Reads are idempotent, so a
    /// read cut by a dead connection runs once more on a fresh one.
    fn read<T>(&self, f: impl Fn(&mut DbConn) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let mut c = self.conn()?;
        match f(c.db()?) {
            Err(e) if e.is_connection_lost() => {
                c.replace(self)?;
                f(c.db()?)
            }
            other => other,
        }
    }

    /// Runs a change in one write transaction. A change cut by a dead
    /// connection is not retried (it may have committed); the connection goes.
    /// Under a claimed Idempotency-Key, the transaction also marks the key
    /// committed, and fails when the claim was lost.
    fn change<T>(&self, f: impl FnOnce(&mut DbConn) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let mut c = self.conn()?;
        let claim = self.claim.as_deref();
        let result = write(c.db()?, |c| {
            let done = f(c)?;
            if let Some(claim) = claim {
                crate::idempotency::mark_committed(c, claim)?;
            }
            Ok(done)
        });
        if result.as_ref().is_err_and(StoreError::is_connection_lost) {
            c.discard();
        }
        result
    }

    /// Runs one statement that commits on its own, outside a transaction:
    /// bookkeeping that must be visible at once and needs nothing around it
    /// (an Idempotency-Key's claim and answer). Not retried, like a change.
    fn single<T>(&self, f: impl FnOnce(&mut DbConn) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let mut c = self.conn()?;
        let result = f(c.db()?);
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

    /// Readiness: the database answers and no migration is pending; an error
    /// within [`READY_PATIENCE`] when no connection can be had that soon.
    pub fn ready(&self) -> Result<bool, StoreError> {
        let check = |c: &mut DbConn| -> Result<bool, StoreError> {
            c.batch_execute("SELECT 1")?;
            Ok(!migrations::has_pending(c)?)
        };
        let mut c = Checkout::Own(Box::new(Some(self.checkout(READY_PATIENCE)?)));
        match check(c.db()?) {
            Err(e) if e.is_connection_lost() => {
                c.discard();
                *c.slot() = Some(self.checkout(READY_PATIENCE)?);
                check(c.db()?)
            }
            other => other,
        }
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
