use actix_web::{get, web, HttpResponse};
use domain::Action;
use uuid::Uuid;

use super::access::visible;
use super::view::ApplicationView;
use crate::auth::Authenticated;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// Get an application
///
/// One application to the partner programme of an organisation in your scope.
#[utoipa::path(
    tag = "Applications",
    operation_id = "getApplication",
    params(("id" = Uuid, Path, description = "Application id")),
    responses(
        (status = 200, description = "The application", body = ApplicationView),
        (status = 403, description = "Only admins review applications", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such application in your scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/applications/{id}")]
pub async fn get_application(
    state: web::Data<AppState>,
    Authenticated(principal): Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let app = visible(&state, &principal, id.into_inner(), Action::ReviewApplications).await?;
    Ok(HttpResponse::Ok().json(ApplicationView::from(app)))
}
