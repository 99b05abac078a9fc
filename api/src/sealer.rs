//! The audit sealer `serve` starts: a thread that chains committed audit events.
//!
//! Every replica runs one; each round, the one that takes the sealing lock seals
//! and the others skip (`persistence::Store::seal_audit_events`), so sealing goes
//! on while any replica is up, and resumes after a crash with the next round.
//! Readers of the log seal what they need themselves, so this only bounds how
//! long events wait unsealed when nobody reads.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use persistence::{SealRound, Store};

/// Pause between rounds.
pub const INTERVAL: Duration = Duration::from_millis(100);

/// The running sealer; [`Sealer::stop`] ends it after the round in hand.
pub struct Sealer {
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

/// Starts the sealer thread.
pub fn spawn(store: Store) -> std::io::Result<Sealer> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let handle = std::thread::Builder::new().name("audit-sealer".into()).spawn(move || {
        while !flag.load(Ordering::Relaxed) {
            match store.seal_audit_events() {
                Ok(SealRound::Sealed(n)) if n > 0 => tracing::debug!(sealed = n, "audit events sealed"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "audit sealer cannot reach the database; will retry"),
            }
            std::thread::sleep(INTERVAL);
        }
    })?;
    Ok(Sealer {
        stop,
        handle: Some(handle),
    })
}

impl Sealer {
    pub fn stop(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}
