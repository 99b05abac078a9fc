use actix_web::{get, web, HttpResponse};
use domain::actions::ReviewApplications;
use persistence::Application;

use super::view::ApplicationView;
use crate::error::ApiError;
use crate::guard::Guarded;
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
    ),
    security(("bearer" = []))
)]
#[get("/applications/{id}")]
pub async fn get_application(
    state: web::Data<AppState>,
    app: Guarded<ReviewApplications, Application>,
) -> Result<HttpResponse, ApiError> {
    let app = app.db(&state, |_, _, app| Ok::<_, ApiError>(app)).await?;
    Ok(HttpResponse::Ok().json(ApplicationView::from(app)))
}
