use actix_web::{get, web, HttpResponse};
use domain::Action;
use uuid::Uuid;

use super::access::visible;
use super::view::ApiClientView;
use crate::auth::Authenticated;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// Read an API client
///
/// One API client whose home organisation is in your scope (never its secret).
#[utoipa::path(
    tag = "API clients",
    operation_id = "getApiClient",
    params(("id" = Uuid, Path, description = "API client id")),
    responses(
        (status = 200, description = "The API client", body = ApiClientView),
        (status = 403, description = "Only admins see API clients", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such API client in your scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/api-clients/{id}")]
pub async fn get_api_client(
    state: web::Data<AppState>,
    Authenticated(principal): Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let client = visible(&state, &principal, id.into_inner(), Action::ReadApiClients).await?;
    Ok(HttpResponse::Ok().json(ApiClientView::from(client)))
}
