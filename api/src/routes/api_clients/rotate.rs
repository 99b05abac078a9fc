use actix_web::{http::header, post, web, HttpResponse};
use domain::actions::ManageApiClients;
use domain::codes;
use persistence::ApiClient;

use super::view::{ApiClientView, ApiClientWithSecret};
use crate::auth::audit_entry;
use crate::error::ApiError;
use crate::guard::Guarded;
use crate::problems::Problems;
use crate::secrets;
use crate::state::AppState;

/// Rotate an API client's secret
///
/// Issues a new secret (shown in this answer only); the old one stops working at
/// once, and so do the tokens issued before the rotation (as a password change
/// would): the client asks for a new token with the new secret.
#[utoipa::path(
    tag = "API clients",
    operation_id = "rotateApiClientSecret",
    params(("id" = Uuid, Path, description = "API client id")),
    responses(
        (status = 200, description = "The new secret; store it now", body = ApiClientWithSecret),
        Problems<(codes::ClientRevoked,)>,
    ),
    security(("bearer" = []))
)]
#[post("/api-clients/{id}/rotate-secret")]
pub async fn rotate_api_client_secret(
    state: web::Data<AppState>,
    client: Guarded<ManageApiClients, ApiClient>,
) -> Result<HttpResponse, ApiError> {
    let (secret, hash) = secrets::generate();
    let client = client
        .db(&state, move |s, principal, client| {
            s.rotate_api_client_secret(&principal.home_path, client.id, &hash, &audit_entry(principal))
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(ApiClientWithSecret {
            client: ApiClientView::from(client),
            client_secret: secret,
        }))
}
