//! Every route; registering one here also puts it in the OpenAPI document.

pub mod api_clients;
pub mod applications;
pub mod audit;
pub mod billing;
pub mod branding;
pub mod customer_users;
pub mod customers;
pub mod domains;
pub mod insights;
pub mod oauth;
pub mod onboarding;
pub mod operators;
pub mod organizations;
pub mod platform;
pub mod reports;
pub mod services;
pub mod sessions;
pub mod subscriptions;
pub mod webhooks;

use utoipa_actix_web::service_config::ServiceConfig;

/// Routes under `/v1`.
pub fn v1(cfg: &mut ServiceConfig) {
    cfg.service(platform::me);
    organizations::configure(cfg);
    operators::configure(cfg);
    api_clients::configure(cfg);
    domains::configure(cfg);
    customers::configure(cfg);
    subscriptions::configure(cfg);
    insights::configure(cfg);
    customer_users::configure(cfg);
    onboarding::configure(cfg);
    applications::configure(cfg);
    audit::configure(cfg);
    reports::configure(cfg);
    billing::configure(cfg);
    webhooks::configure(cfg);
    branding::configure(cfg);
    services::configure(cfg);
    sessions::configure(cfg);
}
