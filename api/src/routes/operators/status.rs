//! Disabling and re-enabling operators.

use actix_web::{post, web, HttpResponse};
use domain::{Action, Principal};
use uuid::Uuid;

use super::access::visible;
use super::view::OperatorView;
use crate::auth::{audit_entry, Authenticated};
use crate::error::{ApiError, Problem};
use crate::preconditions::tagged;
use crate::state::AppState;

async fn set(state: &AppState, principal: &Principal, id: Uuid, enable: bool) -> Result<HttpResponse, ApiError> {
    visible(state, principal, id, Action::ManageOperators).await?;
    let scope = principal.home_path.clone();
    let actor = principal.id;
    let who = audit_entry(principal);
    let op = state
        .db(move |s| s.set_operator_enabled(&scope, actor, id, enable, &who))
        .await?;
    Ok(tagged(&mut HttpResponse::Ok(), op.version, OperatorView::from(op)))
}

/// Disable an operator
///
/// The operator's tokens stop working at its next request. You cannot disable
/// yourself, nor the provider's last active admin. Disabling a disabled operator
/// changes nothing.
#[utoipa::path(
    tag = "Operators",
    operation_id = "disableOperator",
    params(("id" = Uuid, Path, description = "Operator id")),
    responses(
        (status = 200, description = "Disabled", body = OperatorView),
        (status = 403, description = "Only admins manage operators", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such operator in your scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "That is you, or the provider's last admin", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/operators/{id}/disable")]
pub async fn disable_operator(
    state: web::Data<AppState>,
    Authenticated(principal): Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    set(&state, &principal, id.into_inner(), false).await
}

/// Enable an operator
///
/// A disabled operator can sign in again: `active` if it has signed in before,
/// `invited` otherwise.
#[utoipa::path(
    tag = "Operators",
    operation_id = "enableOperator",
    params(("id" = Uuid, Path, description = "Operator id")),
    responses(
        (status = 200, description = "Enabled", body = OperatorView),
        (status = 403, description = "Only admins manage operators", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such operator in your scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/operators/{id}/enable")]
pub async fn enable_operator(
    state: web::Data<AppState>,
    Authenticated(principal): Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    set(&state, &principal, id.into_inner(), true).await
}
