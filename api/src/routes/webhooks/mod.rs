//! `/v1/organizations/{id}/webhook-endpoints`, `/v1/webhook-endpoints/{id}…` and
//! `/v1/webhook-deliveries/{id}/redeliver`: where an organisation's events are
//! pushed, and what became of each delivery.

mod create;
mod delete;
mod deliveries;
mod get;
mod input;
mod list;
mod redeliver;
mod rotate;
mod test;
mod update;
pub mod view;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list::list_webhook_endpoints)
        .service(create::create_webhook_endpoint)
        .service(get::get_webhook_endpoint)
        .service(update::update_webhook_endpoint)
        .service(delete::delete_webhook_endpoint)
        .service(rotate::rotate_webhook_secret)
        .service(test::test_webhook_endpoint)
        .service(deliveries::list_webhook_deliveries)
        .service(redeliver::redeliver_webhook);
}
