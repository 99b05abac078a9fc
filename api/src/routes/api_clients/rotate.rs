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
/// once. Tokens already issued stay valid until they expire; revoke the client to
/// stop those too.
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
    let (principal, id) = (client.principal, client.record.id);
    let (secret, hash) = secrets::generate();
    let scope = principal.home_path.clone();
    let who = audit_entry(&principal);
    let client = state
        .db(move |s| s.rotate_api_client_secret(&scope, id, &hash, &who))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(ApiClientWithSecret {
            client: ApiClientView::from(client),
            client_secret: secret,
        }))
}
