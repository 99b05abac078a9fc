use actix_web::{http::header, post, web, HttpResponse};
use domain::{parse_all, Action, DisplayName, DomainError};
use uuid::Uuid;

use super::view::{ApiClientView, ApiClientWithSecret, CreateApiClient};
use crate::auth::{audit_entry, Authenticated};
use crate::error::{ApiError, Problem};
use crate::extract::StrictJson;
use crate::routes::operators::view::parse_roles;
use crate::routes::organizations::access::visible;
use crate::secrets;
use crate::state::AppState;

/// Create an API client
///
/// A credential for a PSA integration acting in this organisation's subtree with
/// the given roles, through the same permission checks as an operator. The answer
/// carries `client_secret` this once; only its hash is kept. Exchange the pair for
/// a token at `POST /oauth/token`.
#[utoipa::path(
    tag = "API clients",
    operation_id = "createApiClient",
    request_body = CreateApiClient,
    params(("id" = Uuid, Path, description = "The client's home organisation")),
    responses(
        (status = 201, description = "Created; store the secret now", body = ApiClientWithSecret,
            headers(("Location" = String, description = "URL of the new client"))),
        (status = 403, description = "Only admins manage API clients", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organisation in your scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Customers cannot hold API clients", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/organizations/{id}/api-clients")]
pub async fn create_api_client(
    state: web::Data<AppState>,
    Authenticated(principal): Authenticated,
    id: web::Path<Uuid>,
    body: StrictJson<CreateApiClient>,
) -> Result<HttpResponse, ApiError> {
    let org = visible(&state, &principal, id.into_inner(), Action::ManageApiClients).await?;
    let (name, roles) = parse_all((DisplayName::parse(&body.0.name), parse_roles(&body.0.roles)))?;
    org.kind.check_homes_api_clients().map_err(DomainError::from)?;
    let (secret, hash) = secrets::generate();
    let scope = principal.home_path.clone();
    let who = audit_entry(&principal);
    let client = state
        .db(move |s| s.create_api_client(&scope, org.id, &name, &roles, &hash, &who))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/v1/api-clients/{}", client.id)))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(ApiClientWithSecret {
            client: ApiClientView::from(client),
            client_secret: secret,
        }))
}
