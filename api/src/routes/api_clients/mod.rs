//! `/v1/organizations/{id}/api-clients` and `/v1/api-clients/{id}`: credentials
//! for PSA integrations.

mod create;
mod get;
mod list;
mod revoke;
mod rotate;
mod update;
pub mod view;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list::list_api_clients)
        .service(create::create_api_client)
        .service(get::get_api_client)
        .service(update::update_api_client)
        .service(rotate::rotate_api_client_secret)
        .service(revoke::revoke_api_client);
}
