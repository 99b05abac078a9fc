//! `/v1/domains/{domain}`: is a `<prefix>.onmicrosoft.com` domain free?

mod availability;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(availability::get_domain_availability)
        .service(availability::head_domain_availability);
}
