//! The background loops `serve` runs beside the server (mail delivery, audit
//! sealing, rollup folding, billing runs): one thread each, one shape.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// A running loop; [`Background::stop`] ends it after the round in hand.
pub struct Background {
    name: &'static str,
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

/// Starts the thread `name`, which calls `round` until stopped: again at once
/// while a round reports that it found work (`true`), after `idle` otherwise.
/// A round gets the stop flag, to give work back between its own steps.
pub fn spawn(
    name: &'static str,
    idle: Duration,
    mut round: impl FnMut(&AtomicBool) -> bool + Send + 'static,
) -> std::io::Result<Background> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let handle = std::thread::Builder::new().name(name.into()).spawn(move || {
        while !flag.load(Ordering::Relaxed) {
            if !round(&flag) {
                pause(&flag, idle);
            }
        }
    })?;
    Ok(Background {
        name,
        stop,
        handle: Some(handle),
    })
}

/// Sleeps up to `total`, waking early when asked to stop.
fn pause(stop: &AtomicBool, total: Duration) {
    let step = Duration::from_millis(50);
    let mut slept = Duration::ZERO;
    while slept < total && !stop.load(Ordering::Relaxed) {
        std::thread::sleep(step.min(total - slept));
        slept += step;
    }
}

/// Logs a round that failed on the store: WARN, but DEBUG while the database
/// is unreachable (the store logs the outage itself, once per few seconds).
pub fn round_failed(what: &str, e: &persistence::StoreError) {
    if e.is_unavailable() {
        tracing::debug!(error = %e, "{what}; will retry");
    } else {
        tracing::warn!(error = %e, "{what}; will retry");
    }
}

impl Background {
    pub fn stop(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
        tracing::info!("{} stopped", self.name);
    }
}
