use actix_web::{get, HttpResponse};
use domain::actions::ReadApiClients;
use persistence::ApiClient;

use super::view::ApiClientView;
use crate::guard::Guarded;

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
pub async fn get_api_client(client: Guarded<ReadApiClients, ApiClient>) -> HttpResponse {
    HttpResponse::Ok().json(ApiClientView::from(client.into_record()))
}
