//! The Prometheus metrics (`metrics` facade, `metrics-exporter-prometheus`
//! recorder): the names every part of the API records under, and the scrape,
//! which first reads the gauges that are cheaper to read than to keep (pool,
//! export slots, mail outbox, webhook queue).

use std::sync::OnceLock;
use std::time::Duration;

use actix_web::{web, HttpResponse};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::state::AppState;

/// Requests by `method`, `route` (the template, never the raw path) and `status`.
pub const REQUESTS: &str = "http_requests_total";
/// Request durations (to the last byte of the body), same labels.
pub const REQUEST_SECONDS: &str = "http_request_duration_seconds";
/// Pool connections by `state` (`in_use`, `idle`).
pub const POOL_CONNECTIONS: &str = "db_pool_connections";
/// Callers waiting for a pool connection.
pub const POOL_WAITING: &str = "db_pool_waiting";
/// Database errors by `kind` (`unreachable`, `pool_timeout`, `connection_lost`, `deadlock`, `other`).
pub const DB_ERRORS: &str = "db_errors_total";
/// 1 when the last look found the database reachable, else 0.
pub const DB_UP: &str = "db_up";
/// Webhook deliveries still to be made (pending or retrying).
pub const WEBHOOK_QUEUE_DEPTH: &str = "webhook_queue_depth";
/// Age of the oldest webhook delivery still to be made.
pub const WEBHOOK_QUEUE_OLDEST_SECONDS: &str = "webhook_queue_oldest_age_seconds";
/// Unsent mails in the outbox.
pub const OUTBOX_DEPTH: &str = "mail_outbox_depth";
/// Age of the oldest unsent mail (0 when none).
pub const OUTBOX_OLDEST_SECONDS: &str = "mail_outbox_oldest_age_seconds";
/// CSV exports streaming now.
pub const EXPORT_SLOTS_IN_USE: &str = "export_slots_in_use";
/// Exports ended before their last row, by `reason` (`shutdown`, `too_slow`, `failed`).
pub const EXPORTS_CUT: &str = "exports_cut_total";
/// Requests refused with 429, by `limiter` (`caller`, `public`, `sign_in`, `exports`).
pub const RATE_LIMITED: &str = "rate_limit_rejections_total";

const DURATION_BUCKETS: &[f64] = &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// The process's recorder, installed on first use (tests run several servers
/// in one process: they share it). A thread drains histogram samples every
/// few seconds so memory stays bounded between scrapes.
pub fn handle() -> PrometheusHandle {
    HANDLE
        .get_or_init(|| {
            // Only empty buckets are refused.
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Full(REQUEST_SECONDS.into()), DURATION_BUCKETS)
                .unwrap_or_else(|_| PrometheusBuilder::new());
            let recorder = builder.build_recorder();
            let handle = recorder.handle();
            if metrics::set_global_recorder(recorder).is_err() {
                tracing::warn!("a metrics recorder was already installed; /metrics will be empty");
            }
            let upkeep = handle.clone();
            let _ = std::thread::Builder::new()
                .name("metrics-upkeep".into())
                .spawn(move || loop {
                    std::thread::sleep(Duration::from_secs(5));
                    upkeep.run_upkeep();
                });
            handle
        })
        .clone()
}

/// Counts a database error of `kind` (see [`DB_ERRORS`]).
pub fn database_error(kind: &'static str) {
    metrics::counter!(DB_ERRORS, "kind" => kind).increment(1);
}

/// Counts a 429 from `limiter`.
pub fn rate_limited(limiter: &'static str) {
    metrics::counter!(RATE_LIMITED, "limiter" => limiter).increment(1);
}

/// The text exposition, gauges read now.
pub async fn scrape(state: &AppState) -> HttpResponse {
    let pool = state.store.pool_status();
    metrics::gauge!(POOL_CONNECTIONS, "state" => "in_use").set(pool.in_use);
    metrics::gauge!(POOL_CONNECTIONS, "state" => "idle").set(pool.idle);
    metrics::gauge!(POOL_WAITING).set(pool.waiting as f64);
    metrics::gauge!(EXPORT_SLOTS_IN_USE).set(state.exports.in_use() as f64);
    let store = state.store.clone();
    let queues = web::block(move || {
        store.session(|s| Ok::<_, persistence::StoreError>((s.mail_backlog()?, s.webhook_backlog_depth()?)))
    });
    match queues.await {
        Ok(Ok((mail, (hooks, oldest_hook)))) => {
            let age = |oldest: Option<chrono::DateTime<chrono::Utc>>| {
                oldest
                    .map(|t| (state.clock.now() - t).num_milliseconds().max(0) as f64 / 1000.0)
                    .unwrap_or(0.0)
            };
            metrics::gauge!(OUTBOX_DEPTH).set(mail.depth as f64);
            metrics::gauge!(OUTBOX_OLDEST_SECONDS).set(age(mail.oldest));
            metrics::gauge!(WEBHOOK_QUEUE_DEPTH).set(hooks as f64);
            metrics::gauge!(WEBHOOK_QUEUE_OLDEST_SECONDS).set(age(oldest_hook));
            metrics::gauge!(DB_UP).set(1.0);
        }
        // The rest of the scrape is still worth having while the database is away.
        _ => metrics::gauge!(DB_UP).set(0.0),
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(handle().render())
}
