use actix_web::{patch, web, HttpRequest, HttpResponse};
use domain::{parse_all, Action, DisplayName};
use uuid::Uuid;

use super::access::visible;
use super::view::{parse_roles, OperatorView, UpdateOperator};
use crate::auth::{audit_entry, Authenticated};
use crate::error::{ApiError, Problem};
use crate::extract::StrictJson;
use crate::preconditions::{if_match, tagged};
use crate::state::AppState;

/// Change an operator's roles or name
///
/// Role changes apply to the operator's very next request, with the token it
/// already holds. You cannot remove your own admin role, and the provider always
/// keeps at least one active admin. Send the `ETag` you read as `If-Match`.
#[utoipa::path(
    tag = "Operators",
    operation_id = "updateOperator",
    request_body = UpdateOperator,
    params(
        ("id" = Uuid, Path, description = "Operator id"),
        ("If-Match" = Option<String>, Header, description = "The ETag you read; the update applies only if it is still current"),
    ),
    responses(
        (status = 200, description = "Updated", body = OperatorView, headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "Only admins manage operators", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such operator in your scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "You would demote yourself, or the provider would lose its last admin", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` is stale", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/operators/{id}")]
pub async fn update_operator(
    state: web::Data<AppState>,
    Authenticated(principal): Authenticated,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: StrictJson<UpdateOperator>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    visible(&state, &principal, id, Action::ManageOperators).await?;
    let expected = if_match(&req)?;
    let body = body.0;
    let (name, roles) = parse_all((
        body.name.as_deref().map(DisplayName::parse).transpose(),
        body.roles.as_deref().map(parse_roles).transpose(),
    ))?;
    let scope = principal.home_path.clone();
    let actor = principal.id;
    let who = audit_entry(&principal);
    let op = state
        .db(move |s| s.update_operator(&scope, actor, id, expected, name.as_ref(), roles.as_ref(), &who))
        .await?;
    Ok(tagged(&mut HttpResponse::Ok(), op.version, OperatorView::from(op)))
}
