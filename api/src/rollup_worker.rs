//! The rollup folding job `serve` starts beside the mail worker: a thread that
//! folds pending dashboard deltas into the subtree totals
//! (docs/ARCHITECTURE.md, "Dashboard rollups").
//!
//! Dashboards are exact whatever this job's delay; it only keeps the number of
//! pending deltas a dashboard adds up small. Several replicas may run it: an
//! advisory lock lets one fold at a time (the others find nothing to do), and
//! each fold is one transaction, so a crash loses nothing and folds nothing twice.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use persistence::Store;

/// Deltas per fold: one short transaction each (about 70 µs per delta on
/// PostgreSQL at depth 8, so ~70 ms; the write transaction holds the locks every
/// write takes, so a fold must stay short).
pub const BATCH: i64 = 1_000;
/// Pause after a pass that found nothing to fold.
pub const POLL: Duration = Duration::from_millis(500);

pub struct Worker {
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

pub fn spawn(store: Store) -> std::io::Result<Worker> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let handle = std::thread::Builder::new()
        .name("rollup-folder".into())
        .spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                let busy = match store.fold_rollups(BATCH) {
                    Ok(changed) => changed > 0,
                    Err(e) => {
                        tracing::warn!(error = %e, "rollup folder cannot fold; will retry");
                        false
                    }
                };
                if !busy {
                    pause(&flag, POLL);
                }
            }
        })?;
    tracing::info!("rollup folder started");
    Ok(Worker {
        stop,
        handle: Some(handle),
    })
}

/// Sleeps up to `total`, waking early when asked to stop.
fn pause(stop: &AtomicBool, total: Duration) {
    let step = Duration::from_millis(50);
    let mut slept = Duration::ZERO;
    while slept < total && !stop.load(Ordering::Relaxed) {
        std::thread::sleep(step);
        slept += step;
    }
}

impl Worker {
    pub fn stop(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
        tracing::info!("rollup folder stopped");
    }
}
