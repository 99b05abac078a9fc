use actix_web::{post, web, HttpResponse};
use domain::actions::ManageApiClients;
use persistence::ApiClient;

use super::view::ApiClientView;
use crate::auth::audit_entry;
use crate::error::ApiError;
use crate::guard::Guarded;
use crate::state::AppState;

/// Revoke an API client
///
/// The client can no longer obtain tokens, and the tokens it holds are refused
/// from their next request. Revoking twice changes nothing.
#[utoipa::path(
    tag = "API clients",
    operation_id = "revokeApiClient",
    params(("id" = Uuid, Path, description = "API client id")),
    responses(
        (status = 200, description = "Revoked", body = ApiClientView),
    ),
    security(("bearer" = []))
)]
#[post("/api-clients/{id}/revoke")]
pub async fn revoke_api_client(
    state: web::Data<AppState>,
    client: Guarded<ManageApiClients, ApiClient>,
) -> Result<HttpResponse, ApiError> {
    let client = client
        .db(&state, |s, principal, client| {
            s.revoke_api_client(&principal.home_path, client.id, &audit_entry(principal))
        })
        .await?;
    Ok(HttpResponse::Ok().json(ApiClientView::from(client)))
}
