use actix_web::{get, web, HttpResponse};
use domain::{Action, OrgKind, PrincipalKind, Role};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::EnrolmentCaller;
use crate::error::ApiError;
use crate::state::AppState;

/// The caller, as the API sees it on this request.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f0c4-7a10-7c3e-9d52-6b1f7e0a1b2c",
    "principal_type": "operator",
    "email": "admin@contoso-cloud.example",
    "home_organization_id": "0192f0c4-79ff-7a91-8c11-0d2e3f4a5b6c",
    "home_organization_kind": "provider",
    "roles": ["admin"],
    "permissions": ["read_organizations", "create_organization"]
}))]
pub struct Me {
    pub id: Uuid,
    pub principal_type: PrincipalKind,
    /// Operators only.
    pub email: Option<String>,
    /// Your scope: this organisation and everything below it.
    pub home_organization_id: Uuid,
    pub home_organization_kind: OrgKind,
    pub roles: Vec<Role>,
    /// Every action your roles allow, as snake_case names.
    pub permissions: Vec<String>,
}

/// Who am I
///
/// The authenticated caller: its id, type, home organisation (scope root), roles,
/// and what those roles allow. Roles are read on every request, so a change shows
/// here at once.
#[utoipa::path(
    tag = "Platform",
    operation_id = "getMe",
    responses((status = 200, description = "The caller", body = Me)),
    security(("bearer" = []))
)]
#[get("/me")]
pub async fn me(state: web::Data<AppState>, caller: EnrolmentCaller) -> Result<HttpResponse, ApiError> {
    let p = caller.0.db(&state, |_, p| Ok::<_, ApiError>(p.clone())).await?;
    let permissions = Action::ALL
        .iter()
        .filter(|a| p.may(**a))
        .map(|a| a.name().to_string())
        .collect();
    Ok(HttpResponse::Ok().json(Me {
        id: p.id,
        principal_type: p.kind,
        email: p.email.clone(),
        home_organization_id: p.home_id,
        home_organization_kind: p.home_kind,
        roles: p.roles.iter().collect(),
        permissions,
    }))
}
