//! Whether the database can be reached, as the last connection attempt found.
//!
//! When an attempt fails (refused, wrong password, …) the database is marked
//! down: checkouts then fail at once with that reason instead of each waiting
//! the pool's timeout, and one caller every [`PROBE_EVERY`] tries a fresh
//! connection, which ends the outage when it succeeds. Connections opened
//! before an outage are not trusted after it. The reason is logged when the
//! outage starts and at most once per [`LOG_EVERY`] while it lasts.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How often, during an outage, one checkout tries the database again.
const PROBE_EVERY: Duration = Duration::from_millis(200);
/// How often an outage's reason is logged again while it lasts.
const LOG_EVERY: Duration = Duration::from_secs(5);

#[derive(Debug, Default)]
pub(crate) struct Availability {
    down: AtomicBool,
    /// Callers waiting for a pooled connection (a gauge for operators).
    pub(crate) waiting: AtomicU64,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    outage: Option<Outage>,
    /// When the latest outage began: connections born before it are dropped.
    last_outage: Option<Instant>,
    last_logged: Option<Instant>,
}

#[derive(Debug)]
struct Outage {
    since: Instant,
    reason: String,
    next_probe: Instant,
}

/// What a checkout may do now.
pub(crate) enum Gate {
    Open,
    /// The database is down; fail with this reason.
    Down(String),
    /// The database is down, and this caller tries it once.
    Probe,
}

impl Availability {
    pub(crate) fn gate(&self) -> Gate {
        if !self.down.load(Ordering::Acquire) {
            return Gate::Open;
        }
        let mut state = self.lock();
        match &mut state.outage {
            None => Gate::Open,
            Some(o) if Instant::now() >= o.next_probe => {
                o.next_probe = Instant::now() + PROBE_EVERY;
                Gate::Probe
            }
            Some(o) => Gate::Down(o.reason.clone()),
        }
    }

    /// The reason of the outage in progress, if any.
    pub(crate) fn down_reason(&self) -> Option<String> {
        if !self.down.load(Ordering::Acquire) {
            return None;
        }
        self.lock().outage.as_ref().map(|o| o.reason.clone())
    }

    /// A connection attempt failed with `error` (the backend's own message).
    pub(crate) fn failed(&self, error: &str) {
        let reason = first_line(error);
        let now = Instant::now();
        let mut state = self.lock();
        let log = state.last_logged.is_none_or(|t| now.duration_since(t) >= LOG_EVERY) || state.outage.is_none();
        match &mut state.outage {
            Some(o) => o.reason = reason.clone(),
            None => {
                state.outage = Some(Outage {
                    since: now,
                    reason: reason.clone(),
                    next_probe: now + PROBE_EVERY,
                });
                state.last_outage = Some(now);
            }
        }
        self.down.store(true, Ordering::Release);
        if log {
            state.last_logged = Some(now);
            tracing::warn!(reason = %reason, "the database is unreachable; requests answer 503 until it is back");
        }
    }

    /// A connection was made: any outage is over.
    pub(crate) fn recovered(&self) {
        if !self.down.load(Ordering::Acquire) {
            return;
        }
        let mut state = self.lock();
        if let Some(o) = state.outage.take() {
            tracing::info!(
                after_ms = o.since.elapsed().as_millis() as u64,
                "the database is reachable again"
            );
        }
        state.last_logged = None;
        self.down.store(false, Ordering::Release);
    }

    /// Whether a connection opened at `born` may have died in the latest outage.
    pub(crate) fn predates_outage(&self, born: Instant) -> bool {
        self.lock().last_outage.is_some_and(|t| born < t)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// libpq's messages run over several lines ("…failed: Connection refused\n\tIs
/// the server running…"); the first says why.
fn first_line(error: &str) -> String {
    error.lines().next().unwrap_or(error).trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_outage_fails_fast_then_lets_one_probe_through() {
        let a = Availability::default();
        assert!(matches!(a.gate(), Gate::Open));
        let born = Instant::now();
        a.failed("connection to server failed: Connection refused\n\tIs the server running?");
        assert!(matches!(a.gate(), Gate::Down(r) if r == "connection to server failed: Connection refused"));
        std::thread::sleep(PROBE_EVERY);
        assert!(matches!(a.gate(), Gate::Probe));
        assert!(matches!(a.gate(), Gate::Down(_)), "one probe at a time");
        a.recovered();
        assert!(matches!(a.gate(), Gate::Open));
        assert!(a.predates_outage(born));
        assert!(!a.predates_outage(Instant::now()));
    }
}
