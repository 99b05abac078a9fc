//! The billing-run worker `serve` starts: a thread that claims queued runs and
//! bills them a batch of customers at a time.
//!
//! A claim leases the run for [`LEASE`]; each batch is one short write
//! transaction that bills [`BATCH`] customers, advances the run's cursor and
//! counters and renews the lease, so the database is never held for a whole
//! subtree and other writes interleave between batches. If the process dies, the
//! batch in flight rolls back and the lease runs out; the next claim (by this or
//! another replica) resumes after the last committed batch. Stopping the worker
//! gives its run back at once.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration as StdDuration;

use chrono::Duration;
use persistence::{RunClaim, RunStep, Store, StoreError};
use uuid::Uuid;

use crate::background::{self, Background};
use crate::clock::Clock;

/// How long a claimed run is reserved for its worker without a batch committing.
pub const LEASE: Duration = Duration::seconds(60);
/// Customers billed per transaction by default (about ten subscriptions each;
/// `BILLING_BATCH` sets it).
pub const BATCH: i64 = 25;
/// Pause between polls when no run was queued.
pub const POLL: StdDuration = StdDuration::from_millis(1000);

/// How a worked run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It succeeded (or failed, recorded on the run).
    Finished,
    /// Another worker took it over after this one's lease ran out.
    LeaseLost,
    /// The worker was asked to stop and gave the run back.
    Released,
}

/// Claims one run (queued, or running with an expired lease) and works it until
/// it ends; `None` when there was nothing to claim. `stop` is checked between
/// batches.
pub fn run_once(
    store: &Store,
    clock: &Clock,
    batch: i64,
    stop: &AtomicBool,
) -> Result<Option<(Uuid, Outcome)>, StoreError> {
    let now = clock.now();
    let Some(claim) = store.claim_billing_run(now, now + LEASE)? else {
        return Ok(None);
    };
    tracing::info!(run = %claim.id, "billing run claimed");
    let outcome = work(store, clock, &claim, batch, |_| stop.load(Ordering::Relaxed))?;
    Ok(Some((claim.id, outcome)))
}

/// Works a claimed run until it ends, or until `stop(batches done)` says so (then
/// gives it back).
pub fn work(
    store: &Store,
    clock: &Clock,
    claim: &RunClaim,
    batch: i64,
    mut stop: impl FnMut(u64) -> bool,
) -> Result<Outcome, StoreError> {
    let mut batches = 0u64;
    loop {
        if stop(batches) {
            store.release_billing_run(claim)?;
            tracing::info!(run = %claim.id, batches, "billing run given back");
            return Ok(Outcome::Released);
        }
        match store.billing_run_step(claim, clock.now() + LEASE, batch) {
            Ok(RunStep::Billed { .. }) => batches += 1,
            Ok(RunStep::Finished) => {
                tracing::info!(run = %claim.id, batches, "billing run succeeded");
                return Ok(Outcome::Finished);
            }
            Ok(RunStep::LeaseLost) => {
                tracing::warn!(run = %claim.id, "billing run lease lost to another worker");
                return Ok(Outcome::LeaseLost);
            }
            // The database is away: keep the run; its lease runs out and a
            // later claim resumes it.
            Err(e @ (StoreError::Connect(_) | StoreError::Pool(_))) => return Err(e),
            Err(e) => {
                tracing::error!(run = %claim.id, error = %e, "billing run failed");
                store.fail_billing_run(claim, &e.to_string())?;
                return Ok(Outcome::Finished);
            }
        }
    }
}

/// Works every claimable run to its end (tests and the CLI); returns how many.
pub fn drain(store: &Store, clock: &Clock, batch: i64) -> Result<usize, StoreError> {
    let never = AtomicBool::new(false);
    let mut n = 0;
    while run_once(store, clock, batch, &never)?.is_some() {
        n += 1;
    }
    Ok(n)
}

/// Starts the worker thread; stopping it gives the run in hand back after its batch.
pub fn spawn(store: Store, clock: Clock, batch: i64) -> std::io::Result<Background> {
    tracing::info!(batch, "billing worker started");
    background::spawn("billing worker", POLL, move |stop| {
        match run_once(&store, &clock, batch, stop) {
            Ok(claimed) => claimed.is_some(),
            Err(e) => {
                crate::background::round_failed("billing worker cannot reach the database", &e);
                false
            }
        }
    })
}
