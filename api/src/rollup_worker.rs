//! The rollup folding job `serve` starts beside the mail worker: a thread that
//! folds pending dashboard deltas into the subtree totals
//! (docs/ARCHITECTURE.md, "Dashboard rollups").
//!
//! Dashboards are exact whatever this job's delay; it only keeps the number of
//! pending deltas a dashboard adds up small. Several replicas may run it: an
//! advisory lock lets one fold at a time (the others find nothing to do), and
//! each fold is one transaction, so a crash loses nothing and folds nothing twice.

use std::time::Duration;

use persistence::Store;

use crate::background::{self, Background};

/// Deltas per fold: one short transaction each (about 70 µs per delta on
/// PostgreSQL at depth 8, so ~70 ms; moves wait for a fold in hand, so a fold
/// must stay short).
pub const BATCH: i64 = 1_000;
/// Pause after a pass that found nothing to fold.
pub const POLL: Duration = Duration::from_millis(500);
/// Pause between two folds while a backlog lasts: SQLite's busy handler polls
/// with growing sleeps, so a folder that takes the write lock again at once
/// starves every other writer (a sign-in waited out its 5 s busy timeout behind
/// the fold of a 60,000-row bulk load).
pub const TURN: Duration = Duration::from_millis(20);

/// Starts the folding thread.
pub fn spawn(store: Store) -> std::io::Result<Background> {
    tracing::info!("rollup folder started");
    background::spawn("rollup folder", POLL, move |_| match store.fold_rollups(BATCH) {
        Ok(0) => false,
        Ok(_) => {
            std::thread::sleep(TURN);
            true
        }
        Err(e) => {
            background::round_failed("rollup folder cannot fold", &e);
            false
        }
    })
}
