//! Partner-programme applications: a company applies to an organisation's open
//! programme (`/v1/programmes/{org_id}/applications`, public, rate limited); the
//! organisation's admins list them, approve them (a `pending` partner is created
//! under the organisation and its activation link mailed to the applicant) or
//! reject them with a reason the applicant is mailed.

mod apply;
mod decide;
mod get;
mod list;
pub mod view;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(apply::apply_to_programme)
        .service(list::list_applications)
        .service(get::get_application)
        .service(decide::approve_application)
        .service(decide::reject_application);
}
