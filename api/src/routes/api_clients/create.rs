use actix_web::{http::header, post, web, HttpResponse};
use domain::actions::ManageApiClients;
use domain::{codes, parse_all, DisplayName, DomainError};
use persistence::Organization;

use super::view::{ApiClientView, ApiClientWithSecret, CreateApiClient};
use crate::auth::audit_entry;
use crate::error::ApiError;
use crate::extract::StrictJson;
use crate::guard::Guarded;
use crate::problems::Problems;
use crate::routes::operators::view::parse_roles;
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
        Problems<(codes::CustomerHasNoApiClients,)>,
    ),
    security(("bearer" = []))
)]
#[post("/organizations/{id}/api-clients")]
pub async fn create_api_client(
    state: web::Data<AppState>,
    org: Guarded<ManageApiClients, Organization>,
    body: StrictJson<CreateApiClient>,
) -> Result<HttpResponse, ApiError> {
    let (secret, hash) = secrets::generate();
    let client = org
        .db(&state, move |s, principal, org| -> Result<_, ApiError> {
            let (name, roles) = parse_all((DisplayName::parse(&body.0.name), parse_roles(&body.0.roles)))?;
            org.kind.check_homes_api_clients().map_err(DomainError::from)?;
            let who = audit_entry(principal);
            Ok(s.create_api_client(&principal.home_path, org.id, &name, &roles, &hash, &who)?)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/v1/api-clients/{}", client.id)))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(ApiClientWithSecret {
            client: ApiClientView::from(client),
            client_secret: secret,
        }))
}
