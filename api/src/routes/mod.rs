//! Every route; registering one here also puts it in the OpenAPI document.

pub mod api_clients;
pub mod oauth;
pub mod operators;
pub mod organizations;
pub mod platform;

use utoipa_actix_web::service_config::ServiceConfig;

/// Routes under `/v1`.
pub fn v1(cfg: &mut ServiceConfig) {
    cfg.service(platform::me);
    organizations::configure(cfg);
    operators::configure(cfg);
    api_clients::configure(cfg);
}
