//! Disabling and re-enabling operators.

use actix_web::{post, web, HttpResponse};
use domain::actions::ManageOperators;
use domain::codes;
use persistence::Operator;

use super::view::OperatorView;
use crate::auth::audit_entry;
use crate::error::ApiError;
use crate::guard::Guarded;
use crate::preconditions::tagged;
use crate::problems::Problems;
use crate::state::AppState;

/// The operator a caller may disable or enable.
type Target = Guarded<ManageOperators, Operator>;

async fn set(state: &AppState, target: Target, enable: bool) -> Result<HttpResponse, ApiError> {
    let op = target
        .db(state, move |s, principal, op| {
            s.set_operator_enabled(
                &principal.home_path,
                principal.id,
                op.id,
                enable,
                &audit_entry(principal),
            )
        })
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
        Problems<(codes::CannotDisableSelf, codes::LastProviderAdmin)>,
    ),
    security(("bearer" = []))
)]
#[post("/operators/{id}/disable")]
pub async fn disable_operator(state: web::Data<AppState>, target: Target) -> Result<HttpResponse, ApiError> {
    set(&state, target, false).await
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
    ),
    security(("bearer" = []))
)]
#[post("/operators/{id}/enable")]
pub async fn enable_operator(state: web::Data<AppState>, target: Target) -> Result<HttpResponse, ApiError> {
    set(&state, target, true).await
}
