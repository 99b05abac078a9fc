use actix_web::{get, web, HttpResponse};
use domain::actions::ReadApiClients;
use persistence::ApiClient;

use super::view::ApiClientView;
use crate::error::ApiError;
use crate::guard::Guarded;
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
    ),
    security(("bearer" = []))
)]
#[get("/api-clients/{id}")]
pub async fn get_api_client(
    state: web::Data<AppState>,
    client: Guarded<ReadApiClients, ApiClient>,
) -> Result<HttpResponse, ApiError> {
    let client = client.db(&state, |_, _, client| Ok::<_, ApiError>(client)).await?;
    Ok(HttpResponse::Ok().json(ApiClientView::from(client)))
}
