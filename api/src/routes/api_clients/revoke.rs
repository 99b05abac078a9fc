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
    let (principal, id) = (client.principal, client.record.id);
    let scope = principal.home_path.clone();
    let who = audit_entry(&principal);
    let client = state.db(move |s| s.revoke_api_client(&scope, id, &who)).await?;
    Ok(HttpResponse::Ok().json(ApiClientView::from(client)))
}
