//! `/v1/customers/{id}/…` and `/v1/organizations/{id}/customers`: tenants, their
//! service instances, and the customer summary.

pub(crate) mod service_instances;
mod summary;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(summary::list_customers)
        .service(service_instances::list_service_instances)
        .service(service_instances::create_service_instance)
        .service(service_instances::delete_service_instance);
}
