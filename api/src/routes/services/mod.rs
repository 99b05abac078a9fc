//! `/v1/services…` and `/v1/service-instances/{id}/launch`: the catalogue of
//! services customers can have, and launching a customer's instance as its partner.

mod catalogue;
mod launch;
pub mod view;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(catalogue::list_services)
        .service(catalogue::create_service)
        .service(catalogue::get_service)
        .service(catalogue::update_service)
        .service(launch::launch_service_instance);
}
