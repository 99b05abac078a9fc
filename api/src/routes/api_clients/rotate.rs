use actix_web::{http::header, post, web, HttpResponse};
use domain::Action;
use uuid::Uuid;

use super::access::visible;
use super::view::{ApiClientView, ApiClientWithSecret};
use crate::auth::{audit_entry, Authenticated};
use crate::error::{ApiError, Problem};
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
        (status = 403, description = "Only admins manage API clients", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such API client in your scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The client is revoked", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/api-clients/{id}/rotate-secret")]
pub async fn rotate_api_client_secret(
    state: web::Data<AppState>,
    Authenticated(principal): Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    visible(&state, &principal, id, Action::ManageApiClients).await?;
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
