//! `/v1/organizations`: the tree, within the caller's scope.

mod children;
mod create;
mod descendants;
mod get;
mod move_to;
mod status;
mod update;
pub mod view;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create::create_organization)
        .service(get::get_organization)
        .service(update::update_organization)
        .service(children::list_children)
        .service(descendants::list_descendants)
        .service(move_to::move_organization)
        .service(status::suspend_organization)
        .service(status::reactivate_organization)
        .service(status::archive_organization);
}
