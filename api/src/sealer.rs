//! The audit sealer `serve` starts: a thread that chains committed audit events.
//!
//! Every replica runs one; each round, the one that takes the sealing lock seals
//! and the others skip (`persistence::Store::seal_audit_events`), so sealing goes
//! on while any replica is up, and resumes after a crash with the next round.
//! Readers of the log seal what they need themselves, so this only bounds how
//! long events wait unsealed when nobody reads.

use std::time::Duration;

use persistence::{SealRound, Store};

use crate::background::{self, Background};

/// Pause between rounds.
pub const INTERVAL: Duration = Duration::from_millis(100);

/// Starts the sealer thread.
pub fn spawn(store: Store) -> std::io::Result<Background> {
    tracing::info!("audit sealer started");
    background::spawn("audit sealer", INTERVAL, move |_| {
        match store.seal_audit_events() {
            Ok(SealRound::Sealed(n)) if n > 0 => tracing::debug!(sealed = n, "audit events sealed"),
            Ok(_) => {}
            Err(e) => background::round_failed("audit sealer cannot reach the database", &e),
        }
        false
    })
}
