//! The delivery worker `serve` starts: it leases due deliveries (for [`LEASE`],
//! which also counts the attempt) in one short transaction, and sends each on
//! its own thread, so no database transaction is open during an HTTP call and
//! a slow endpoint holds only its own deliveries: at most [`PER_ENDPOINT`] of
//! one endpoint's run at once, [`MAX_IN_FLIGHT`] in all. Each outcome is
//! recorded only while the lease is still this worker's; a failure is retried
//! on the domain's schedule (`domain::webhook::next_attempt`) until 3 days have
//! passed. A process that dies mid-delivery leaves its leases to run out, and
//! any replica sends those deliveries again: at least once, never lost.

use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration as StdDuration;

use chrono::Duration;
use persistence::{AttemptOutcome, ClaimedDelivery, Store, StoreError};
use uuid::Uuid;

use super::sender::Sender;
use crate::background::{self, Background};
use crate::clock::Clock;

/// How long a claimed delivery is reserved by default (`WEBHOOK_LEASE_SECS`):
/// well beyond the sender's timeout.
pub const LEASE: Duration = Duration::seconds(60);
/// Deliveries running at once in one process.
pub const MAX_IN_FLIGHT: usize = 64;
/// Deliveries of one endpoint running at once in one process.
pub const PER_ENDPOINT: usize = 8;
/// Pause after a round that started nothing.
pub const POLL: StdDuration = StdDuration::from_millis(100);

/// Deliveries running in this process, by endpoint, and a signal each one
/// gives when it ends (so a claim for the slot it freed follows at once).
#[derive(Default)]
struct InFlight {
    running: Mutex<HashMap<Uuid, usize>>,
    ended: Condvar,
}

impl InFlight {
    fn lock(&self) -> MutexGuard<'_, HashMap<Uuid, usize>> {
        self.running.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Waits until a running delivery ends, at most `timeout`.
    fn wait_for_one(&self, timeout: StdDuration) {
        let running = self.lock();
        if running.is_empty() {
            return;
        }
        let _ = self.ended.wait_timeout(running, timeout);
    }
}

#[derive(Clone)]
pub struct Worker {
    store: Store,
    sender: Sender,
    clock: Clock,
    lease: Duration,
    in_flight: Arc<InFlight>,
}

impl Worker {
    pub fn new(store: Store, sender: Sender, clock: Clock) -> Self {
        Self {
            store,
            sender,
            clock,
            lease: LEASE,
            in_flight: Arc::default(),
        }
    }

    /// Holds claimed deliveries for `lease` instead of [`LEASE`].
    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// Leases what is due, up to the free slots, and starts a thread for each.
    fn start_due(&self) -> Result<Vec<JoinHandle<()>>, StoreError> {
        let running = self.in_flight.lock().clone();
        let free = MAX_IN_FLIGHT.saturating_sub(running.values().sum());
        if free == 0 {
            return Ok(Vec::new());
        }
        let now = self.clock.now();
        let claimed =
            self.store
                .claim_webhook_deliveries(now, now + self.lease, free as i64, PER_ENDPOINT, &running)?;
        let mut handles = Vec::with_capacity(claimed.len());
        for delivery in claimed {
            *self.in_flight.lock().entry(delivery.endpoint_id).or_default() += 1;
            let worker = self.clone();
            let spawned = std::thread::Builder::new()
                .name("webhook delivery".into())
                .spawn(move || worker.attempt(delivery));
            match spawned {
                Ok(h) => handles.push(h),
                // The lease runs out and the delivery goes later.
                Err(e) => tracing::warn!(error = %e, "cannot start a webhook delivery thread"),
            }
        }
        Ok(handles)
    }

    fn attempt(&self, delivery: ClaimedDelivery) {
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
            next_attempt_at,
        };
        match self.store.record_webhook_attempt(&delivery, &outcome, at) {
            Ok(true) => {
                tracing::debug!(delivery = %delivery.id, attempt = delivery.attempt, succeeded = outcome.succeeded, "webhook attempt")
            }
            Ok(false) => tracing::info!(delivery = %delivery.id, "webhook lease lost; another worker has the delivery"),
            Err(e) => {
                tracing::warn!(delivery = %delivery.id, error = %e, "webhook attempt not recorded; it goes again after its lease")
            }
        }
        let mut running = self.in_flight.lock();
        if let Some(n) = running.get_mut(&delivery.endpoint_id) {
            *n -= 1;
            if *n == 0 {
                running.remove(&delivery.endpoint_id);
            }
        }
        self.in_flight.ended.notify_all();
    }

    /// Sends everything due now and waits for each attempt to be recorded,
    /// until nothing is due (tests and tools; `serve` runs [`spawn`]). Returns
    /// how many attempts were made.
    pub fn drain(&self) -> Result<usize, StoreError> {
        let mut attempts = 0;
        loop {
            let handles = self.start_due()?;
            if handles.is_empty() {
                return Ok(attempts);
            }
            attempts += handles.len();
            for h in handles {
                let _ = h.join();
            }
        }
    }
}

/// Starts the worker thread; deliveries run on threads of their own. When
/// nothing could start while deliveries run (their endpoints are at their cap,
/// or every slot is taken), the next claim waits for one of them to end rather
/// than for the idle pause.
pub fn spawn(worker: Worker) -> std::io::Result<Background> {
    tracing::info!("webhook delivery worker started");
    background::spawn("webhook worker", POLL, move |_| match worker.start_due() {
        Ok(started) if started.is_empty() => {
            let busy = !worker.in_flight.lock().is_empty();
            if busy {
                worker.in_flight.wait_for_one(POLL);
            }
            busy
        }
        Ok(_) => true,
        Err(e) => {
            background::round_failed("webhook worker cannot claim deliveries", &e);
            false
        }
    })
}
