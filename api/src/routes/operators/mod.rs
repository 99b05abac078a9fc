//! `/v1/organizations/{id}/operators` and `/v1/operators/{id}`: who may use the portal.

mod create;
mod get;
mod import;
mod list;
mod status;
mod update;
pub mod view;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list::list_operators)
        .service(create::create_operator)
        .service(import::import_operators)
        .service(get::get_operator)
        .service(update::update_operator)
        .service(status::disable_operator)
        .service(status::enable_operator);
}
