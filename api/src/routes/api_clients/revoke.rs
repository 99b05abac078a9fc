use actix_web::{post, web, HttpResponse};
use domain::Action;
use uuid::Uuid;

use super::access::visible;
use super::view::ApiClientView;
use crate::auth::{audit_entry, Authenticated};
use crate::error::{ApiError, Problem};
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
        (status = 403, description = "Only admins manage API clients", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such API client in your scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/api-clients/{id}/revoke")]
pub async fn revoke_api_client(
    state: web::Data<AppState>,
    Authenticated(principal): Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    visible(&state, &principal, id, Action::ManageApiClients).await?;
    let scope = principal.home_path.clone();
    let who = audit_entry(&principal);
    let client = state.db(move |s| s.revoke_api_client(&scope, id, &who)).await?;
    Ok(HttpResponse::Ok().json(ApiClientView::from(client)))
}
