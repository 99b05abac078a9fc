//! The sweeper `serve` starts: Idempotency-Keys go once their answers are no
//! longer replayed ([`super::RETENTION_SECS`]). A request also treats an
//! older key as absent, so the sweep only keeps the table small.

use std::time::Duration;

use persistence::{Store, StoreError};

use crate::background::{self, Background};
use crate::clock::Clock;

/// Pause between sweeps.
pub const IDLE: Duration = Duration::from_secs(600);

/// Deletes the expired keys once; returns how many went.
pub fn sweep(store: &Store, clock: &Clock) -> Result<usize, StoreError> {
    store.sweep_idempotency_keys(clock.now() - super::retention())
}

/// Starts the sweeper thread.
pub fn spawn(store: Store, clock: Clock) -> std::io::Result<Background> {
    background::spawn("idempotency sweeper", IDLE, move |_| {
        if let Err(e) = sweep(&store, &clock) {
            background::round_failed("idempotency sweeper cannot sweep", &e);
        }
        false
    })
}
