//! `/v1/customers/{id}/users` and `/v1/customer-users/{id}`: the people of a
//! customer tenant, and impersonating them in the customer portal.

mod create;
mod get;
mod impersonate;
mod invitation;
mod list;
mod update;
pub mod view;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list::list_customer_users)
        .service(create::create_customer_user)
        .service(get::get_customer_user)
        .service(update::update_customer_user)
        .service(impersonate::impersonate_customer_user)
        .service(invitation::invite_customer_user);
}
