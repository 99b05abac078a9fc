use actix_web::{patch, web, HttpRequest, HttpResponse};
use domain::actions::ManageOperators;
use domain::{codes, parse_all, DisplayName};
use persistence::Operator;

use super::view::{parse_roles, OperatorView, UpdateOperator};
use crate::auth::audit_entry;
use crate::error::ApiError;
use crate::extract::StrictJson;
use crate::guard::Guarded;
use crate::preconditions::{if_match, tagged};
use crate::problems::Problems;
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
        Problems<(codes::CannotDemoteSelf, codes::LastProviderAdmin, codes::StaleVersion)>,
    ),
    security(("bearer" = []))
)]
#[patch("/operators/{id}")]
pub async fn update_operator(
    state: web::Data<AppState>,
    op: Guarded<ManageOperators, Operator>,
    req: HttpRequest,
    body: StrictJson<UpdateOperator>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req);
    let body = body.0;
    let op = op
        .db(&state, move |s, principal, op| -> Result<_, ApiError> {
            let expected = expected?;
            let (name, roles) = parse_all((
                body.name.as_deref().map(DisplayName::parse).transpose(),
                body.roles.as_deref().map(parse_roles).transpose(),
            ))?;
            let who = audit_entry(principal);
            Ok(s.update_operator(
                &principal.home_path,
                principal.id,
                op.id,
                expected,
                name.as_ref(),
                roles.as_ref(),
                &who,
            )?)
        })
        .await?;
    Ok(tagged(&mut HttpResponse::Ok(), op.version, OperatorView::from(op)))
}
