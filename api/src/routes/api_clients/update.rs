use actix_web::{patch, web, HttpResponse};
use domain::actions::ManageApiClients;
use domain::codes;
use domain::{parse_all, DisplayName, Role};
use persistence::ApiClient;
use serde::Deserialize;
use utoipa::ToSchema;

use super::view::ApiClientView;
use crate::auth::audit_entry;
use crate::error::ApiError;
use crate::extract::StrictJson;
use crate::guard::Guarded;
use crate::problems::Problems;
use crate::routes::operators::view::parse_roles;
use crate::state::AppState;

/// Rename an API client or change its roles (absent fields stay as they are).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"roles": ["viewer", "billing"]}))]
pub struct UpdateApiClient {
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub name: Option<String>,
    #[schema(min_items = 1)]
    pub roles: Option<Vec<Role>>,
}

/// Change an API client's name or roles
///
/// New roles apply to the client's very next request, with the tokens it holds.
/// A revoked client cannot be changed (409 `client_revoked`).
#[utoipa::path(
    tag = "API clients",
    operation_id = "updateApiClient",
    request_body = UpdateApiClient,
    params(("id" = Uuid, Path, description = "API client id")),
    responses(
        (status = 200, description = "Updated", body = ApiClientView),
        Problems<(codes::ClientRevoked,)>,
    ),
    security(("bearer" = []))
)]
#[patch("/api-clients/{id}")]
pub async fn update_api_client(
    state: web::Data<AppState>,
    client: Guarded<ManageApiClients, ApiClient>,
    body: StrictJson<UpdateApiClient>,
) -> Result<HttpResponse, ApiError> {
    let client = client
        .db(&state, move |s, principal, client| -> Result<_, ApiError> {
            let (name, roles) = parse_all((
                body.0.name.as_deref().map(DisplayName::parse).transpose(),
                body.0.roles.as_deref().map(parse_roles).transpose(),
            ))?;
            let who = audit_entry(principal);
            Ok(s.update_api_client(&principal.home_path, client.id, name.as_ref(), roles.as_ref(), &who)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(ApiClientView::from(client)))
}
