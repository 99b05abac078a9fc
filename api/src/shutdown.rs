//! The drain on SIGTERM (or SIGINT): `/readyz` turns 503 at once while the
//! server keeps serving for `SHUTDOWN_DRAIN_SECS`, so a load balancer takes the
//! instance out; then the listeners close and in-flight requests get
//! `SHUTDOWN_GRACE_SECS`; exports still streaming then are cut (their bodies
//! break) and the server stops.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::ServerHandle;

use crate::csv_export::ExportSlots;

/// Whether this process is draining; `/readyz` reads it.
#[derive(Clone, Default)]
pub struct Lifecycle(Arc<AtomicBool>);

impl Lifecycle {
    pub fn is_draining(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }

    pub fn start_draining(&self) {
        self.0.store(true, Ordering::Release);
    }
}

/// The timings of a drain.
#[derive(Debug, Clone, Copy)]
pub struct Drain {
    pub window: Duration,
    pub grace: Duration,
}

/// Waits for SIGTERM or SIGINT, then drains and stops `servers`.
pub async fn on_signal(servers: Vec<ServerHandle>, lifecycle: Lifecycle, exports: ExportSlots, drain: Drain) {
    let signal = wait_for_signal().await;
    lifecycle.start_draining();
    tracing::info!(
        signal,
        drain_secs = drain.window.as_secs(),
        "graceful shutdown: draining, /readyz answers 503, requests are still served"
    );
    tokio::time::sleep(drain.window).await;
    tracing::info!(
        grace_secs = drain.grace.as_secs(),
        in_flight_exports = exports.in_use(),
        "no longer accepting connections; waiting for in-flight requests"
    );
    let stops = futures_util::future::join_all(servers.iter().map(|s| s.stop(true)));
    tokio::select! {
        _ = stops => {}
        _ = tokio::time::sleep(drain.grace) => {
            let cut = exports.in_use();
            if cut > 0 {
                tracing::warn!(exports = cut, "grace period over: cutting the exports still streaming");
            }
            exports.cut_all();
        }
    }
}

#[cfg(unix)]
async fn wait_for_signal() -> &'static str {
    use tokio::signal::unix::{signal, SignalKind};
    match (signal(SignalKind::terminate()), signal(SignalKind::interrupt())) {
        (Ok(mut term), Ok(mut int)) => tokio::select! {
            _ = term.recv() => "SIGTERM",
            _ = int.recv() => "SIGINT",
        },
        _ => {
            let _ = tokio::signal::ctrl_c().await;
            "SIGINT"
        }
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() -> &'static str {
    let _ = tokio::signal::ctrl_c().await;
    "ctrl-c"
}
