//! `/v1/organizations/{id}/branding…` and `/v1/brands/{portal_domain}…`: a
//! brand per channel organisation, inherited down the tree, and public by the
//! host its sign-in page is served on.

mod effective;
mod logo;
mod own;
pub mod view;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(own::get_branding)
        .service(own::put_branding)
        .service(own::delete_branding)
        .service(logo::get_branding_logo)
        .service(logo::put_branding_logo)
        .service(logo::delete_branding_logo)
        .service(effective::get_effective_branding)
        .service(logo::get_effective_branding_logo)
        .service(effective::get_public_brand)
        .service(logo::get_public_brand_logo);
}
