use actix_web::{http::header, post, web, HttpResponse};
use domain::codes;
use uuid::Uuid;

use super::view::{ApplyToProgramme, SubmittedApplication};
use crate::error::ApiError;
use crate::extract::StrictJson;
use crate::problems::Problems;
use crate::state::AppState;

/// Apply to a partner programme
///
/// Public (no bearer token; rate limited per client address). A company asks to
/// join the partner programme of the organisation `org_id`, whose admins then
/// approve or reject it; either way the applicant hears by e-mail. A programme
/// that is closed answers exactly like one that does not exist (404). While an
/// application from an e-mail is pending, another from the same e-mail to the
/// same programme is refused (409 naming `email`).
#[utoipa::path(
    tag = "Applications",
    operation_id = "applyToProgramme",
    request_body = ApplyToProgramme,
    params(("org_id" = Uuid, Path, description = "The organisation whose programme to join")),
    responses(
        (status = 201, description = "Filed", body = SubmittedApplication,
            headers(("Location" = String, description = "URL of the application (for the programme's admins)"))),
        Problems<(codes::NotFound, codes::Duplicate, codes::RateLimited)>,
    ),
    security(())
)]
#[post("/programmes/{org_id}/applications")]
pub async fn apply_to_programme(
    state: web::Data<AppState>,
    org_id: web::Path<Uuid>,
    body: StrictJson<ApplyToProgramme>,
) -> Result<HttpResponse, ApiError> {
    let new = body.0.parse(org_id.into_inner())?;
    let now = state.clock.now();
    let app = state.db(move |s| s.submit_application(&new, now)).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/v1/applications/{}", app.id)))
        .json(SubmittedApplication {
            id: app.id,
            status: app.status,
            created_at: app.created_at,
        }))
}
