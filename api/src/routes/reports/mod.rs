//! CSV reports over a subtree, streamed in keyset batches.

mod subscriptions;
mod users;

use chrono::{NaiveDateTime, SecondsFormat};
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(subscriptions::export_subscription_report)
        .service(users::export_user_report);
}

/// A stored UTC timestamp as RFC 3339 with a `Z`.
fn timestamp(ts: NaiveDateTime) -> String {
    ts.and_utc().to_rfc3339_opts(SecondsFormat::Secs, true)
}
