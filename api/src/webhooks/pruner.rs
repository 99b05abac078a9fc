//! The pruner `serve` starts: finished deliveries, their attempts and the
//! events left without deliveries go after `domain::webhook::RETENTION`, in
//! small transactions, so the tables hold a month of history, not all of it.

use std::time::Duration;

use persistence::Store;

use crate::background::{self, Background};
use crate::clock::Clock;

/// Deliveries (and attempts) deleted per transaction.
pub const BATCH: i64 = 1_000;
/// Pause once nothing is left to prune.
pub const IDLE: Duration = Duration::from_secs(600);

/// Starts the pruner thread.
pub fn spawn(store: Store, clock: Clock) -> std::io::Result<Background> {
    background::spawn("webhook pruner", IDLE, move |_| {
        let before = domain::webhook::prunable_before(clock.now());
        match store.prune_webhook_deliveries(before, BATCH) {
            Ok(n) => n as i64 >= BATCH,
            Err(e) => {
                background::round_failed("webhook pruner cannot prune", &e);
                false
            }
        }
    })
}
