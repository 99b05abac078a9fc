//! Subscriptions: a customer's purchases, and lists across a whole subtree.

mod create;
mod get;
mod history;
mod list;
mod status;
mod update;
pub mod view;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list::list_customer_subscriptions)
        .service(create::create_subscription)
        .service(list::list_subtree_subscriptions)
        .service(get::get_subscription)
        .service(history::get_subscription_history)
        .service(update::update_subscription)
        .service(status::suspend_subscription)
        .service(status::reactivate_subscription)
        .service(status::cancel_subscription);
}
