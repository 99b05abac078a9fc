//! The delivery worker `serve` starts: it leases due deliveries (for [`LEASE`],
//! which also counts the attempt) in one short transaction, and sends each on
//! its own thread, so no database transaction is open during an HTTP call and
//! a slow endpoint holds only its own deliveries: at most [`PER_ENDPOINT`] of
//! one endpoint's are sent at once, [`HELD_PER_ENDPOINT`] are held, and
//! [`MAX_IN_FLIGHT`] in all.
//!
//! The database work is done in groups, so that delivering costs the writes
//! it reports on little: while deliveries run, the worker leases again only
//! once [`GROUP`] of them have ended (or [`crate::webhooks::worker::POLL`] has
//! passed), and records outcomes together, at least every [`GATHER`]. Each
//! outcome is recorded only while its lease is still this worker's; a failure
//! is retried on the domain's schedule (`domain::webhook::next_attempt`) until
//! 3 days have passed. A process that dies mid-delivery leaves its leases to
//! run out, and any replica sends those deliveries again: at least once,
//! never lost.

use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration as StdDuration, Instant};

use chrono::Duration;
use persistence::{AttemptOutcome, ClaimedDelivery, Store, StoreError};
use uuid::Uuid;

use super::sender::Sender;
use crate::background::{self, Background};
use crate::clock::Clock;

/// How long a claimed delivery is reserved by default (`WEBHOOK_LEASE_SECS`):
/// beyond the time its endpoint's held deliveries take at their slowest
/// (`HELD_PER_ENDPOINT / PER_ENDPOINT` rounds of the sender's 10 s timeout).
pub const LEASE: Duration = Duration::seconds(60);
/// Deliveries held (running or waiting for their endpoint's turn) in one process.
pub const MAX_IN_FLIGHT: usize = 64;
/// Deliveries of one endpoint sent at once in one process.
pub const PER_ENDPOINT: usize = 8;
/// Deliveries of one endpoint held at once in one process.
pub const HELD_PER_ENDPOINT: usize = 3 * PER_ENDPOINT;
/// While deliveries run, lease and record in groups of this many.
pub const GROUP: usize = 8;
/// The longest an outcome waits to be recorded.
pub const GATHER: StdDuration = StdDuration::from_millis(20);
/// Pause after a round that started nothing, and the longest a busy worker
/// goes without looking for other endpoints' work.
pub const POLL: StdDuration = StdDuration::from_millis(100);

type Attempt = (ClaimedDelivery, AttemptOutcome);

/// What this process's deliveries are doing.
#[derive(Default)]
struct Deliveries {
    /// Leased and not finished, by endpoint.
    held: HashMap<Uuid, usize>,
    /// Being sent now, by endpoint.
    sending: HashMap<Uuid, usize>,
    /// Finished, not recorded yet.
    outcomes: Vec<Attempt>,
    /// Finished since the last lease.
    ended_since_claim: usize,
    /// When the last lease was taken.
    last_claim: Option<Instant>,
}

#[derive(Default)]
struct Shared {
    state: Mutex<Deliveries>,
    /// Signalled when a delivery ends.
    ended: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Deliveries> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn wait<'a>(&self, guard: MutexGuard<'a, Deliveries>, timeout: StdDuration) -> MutexGuard<'a, Deliveries> {
        match self.ended.wait_timeout(guard, timeout) {
            Ok((guard, _)) => guard,
            Err(poisoned) => poisoned.into_inner().0,
        }
    }
}

fn decrement(counts: &mut HashMap<Uuid, usize>, key: Uuid) {
    if let Some(n) = counts.get_mut(&key) {
        *n = n.saturating_sub(1);
        if *n == 0 {
            counts.remove(&key);
        }
    }
}

#[derive(Clone)]
pub struct Worker {
    store: Store,
    sender: Sender,
    clock: Clock,
    lease: Duration,
    shared: Arc<Shared>,
}

impl Worker {
    pub fn new(store: Store, sender: Sender, clock: Clock) -> Self {
        Self {
            store,
            sender,
            clock,
            lease: LEASE,
            shared: Arc::default(),
        }
    }

    /// Holds claimed deliveries for `lease` instead of [`LEASE`].
    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// Whether to lease now: always when nothing is held; while deliveries
    /// run, once a group of them has ended or after [`POLL`].
    fn claim_due(&self) -> bool {
        let state = self.shared.lock();
        state.held.is_empty()
            || state.ended_since_claim >= GROUP
            || state.last_claim.is_none_or(|t| t.elapsed() >= POLL)
    }

    /// Leases what is due, up to the free slots, and starts a thread for each.
    fn start_due(&self) -> Result<Vec<JoinHandle<()>>, StoreError> {
        let held = self.shared.lock().held.clone();
        let free = MAX_IN_FLIGHT.saturating_sub(held.values().sum());
        if free == 0 {
            return Ok(Vec::new());
        }
        let now = self.clock.now();
        let claimed =
            self.store
                .claim_webhook_deliveries(now, now + self.lease, free as i64, HELD_PER_ENDPOINT, &held)?;
        {
            let mut state = self.shared.lock();
            state.last_claim = Some(Instant::now());
            state.ended_since_claim = 0;
            for delivery in &claimed {
                *state.held.entry(delivery.endpoint_id).or_default() += 1;
            }
        }
        let mut handles = Vec::with_capacity(claimed.len());
        for delivery in claimed {
            let endpoint = delivery.endpoint_id;
            let worker = self.clone();
            let spawned = std::thread::Builder::new()
                .name("webhook delivery".into())
                .spawn(move || worker.attempt(delivery));
            match spawned {
                Ok(h) => handles.push(h),
                // The lease runs out and the delivery goes later.
                Err(e) => {
                    decrement(&mut self.shared.lock().held, endpoint);
                    tracing::warn!(error = %e, "cannot start a webhook delivery thread");
                }
            }
        }
        Ok(handles)
    }

    /// Sends one delivery when its endpoint has a free slot.
    fn attempt(&self, delivery: ClaimedDelivery) {
        let endpoint = delivery.endpoint_id;
        {
            let mut state = self.shared.lock();
            while state.sending.get(&endpoint).copied().unwrap_or(0) >= PER_ENDPOINT {
                state = self.shared.wait(state, POLL);
            }
            *state.sending.entry(endpoint).or_default() += 1;
        }
        let sent = self.sender.send(&delivery, self.clock.now());
        let at = self.clock.now();
        let next_attempt_at = if sent.succeeded {
            None
        } else {
            domain::webhook::next_attempt(delivery.created_at, at, delivery.attempt, rand::random::<f64>())
        };
        let outcome = AttemptOutcome {
            succeeded: sent.succeeded,
            response_status: sent.response_status,
            response_body: sent.response_body,
            error: sent.error,
            duration_ms: sent.duration_ms,
            attempted_at: at,
            next_attempt_at,
        };
        let mut state = self.shared.lock();
        decrement(&mut state.sending, endpoint);
        decrement(&mut state.held, endpoint);
        state.outcomes.push((delivery, outcome));
        state.ended_since_claim += 1;
        drop(state);
        self.shared.ended.notify_all();
    }

    /// While deliveries run, waits until a group of outcomes is in or
    /// [`GATHER`] has passed.
    fn gather(&self) {
        let deadline = Instant::now() + GATHER;
        let mut state = self.shared.lock();
        while !state.held.is_empty() && state.outcomes.len() < GROUP {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return;
            }
            state = self.shared.wait(state, left);
        }
    }

    /// Records the outcomes in hand, in one transaction. When that fails they
    /// are dropped: their leases run out and the deliveries go again.
    fn record(&self) {
        let outcomes = std::mem::take(&mut self.shared.lock().outcomes);
        if outcomes.is_empty() {
            return;
        }
        match self.store.record_webhook_attempts(&outcomes) {
            Ok(n) if n < outcomes.len() => tracing::info!(
                lost = outcomes.len() - n,
                "webhook leases lost; another worker has those deliveries"
            ),
            Ok(n) => tracing::debug!(recorded = n, "webhook attempts"),
            Err(e) => {
                tracing::warn!(attempts = outcomes.len(), error = %e, "webhook attempts not recorded; they go again after their lease")
            }
        }
    }

    /// One round of the worker thread: record what ended, lease what is due;
    /// returns whether deliveries are under way.
    fn round(&self) -> Result<bool, StoreError> {
        self.gather();
        self.record();
        let started = if self.claim_due() { self.start_due()?.len() } else { 0 };
        Ok(started > 0 || !self.shared.lock().held.is_empty())
    }

    /// Sends everything due now and records each attempt, until nothing is
    /// due (tests and tools; `serve` runs [`spawn`]). Returns how many
    /// attempts were made.
    pub fn drain(&self) -> Result<usize, StoreError> {
        let mut attempts = 0;
        loop {
            let handles = self.start_due()?;
            if handles.is_empty() {
                self.record();
                return Ok(attempts);
            }
            attempts += handles.len();
            for h in handles {
                let _ = h.join();
            }
            self.record();
        }
    }
}

/// Starts the worker thread; deliveries run on threads of their own.
pub fn spawn(worker: Worker) -> std::io::Result<Background> {
    tracing::info!("webhook delivery worker started");
    background::spawn("webhook worker", POLL, move |_| match worker.round() {
        Ok(busy) => busy,
        Err(e) => {
            background::round_failed("webhook worker cannot claim deliveries", &e);
            false
        }
    })
}
