//! `/v1/organizations/{id}/dashboard` and `/usage`: what a subtree holds and how
//! its seats moved over time.

mod dashboard;
mod usage;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(dashboard::get_dashboard).service(usage::get_usage);
}
