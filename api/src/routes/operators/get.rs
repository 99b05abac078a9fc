use actix_web::{get, web, HttpResponse};
use domain::Action;
use uuid::Uuid;

use super::access::visible;
use super::view::OperatorView;
use crate::auth::Authenticated;
use crate::error::{ApiError, Problem};
use crate::preconditions::tagged;
use crate::state::AppState;

/// Read an operator
///
/// One operator whose home organisation is in your scope.
#[utoipa::path(
    tag = "Operators",
    operation_id = "getOperator",
    params(("id" = Uuid, Path, description = "Operator id")),
    responses(
        (status = 200, description = "The operator", body = OperatorView,
            headers(("ETag" = String, description = "The operator's version"))),
        (status = 403, description = "Your roles do not allow reading operators", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such operator in your scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/operators/{id}")]
pub async fn get_operator(
    state: web::Data<AppState>,
    Authenticated(principal): Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let op = visible(&state, &principal, id.into_inner(), Action::ReadOperators).await?;
    Ok(tagged(&mut HttpResponse::Ok(), op.version, OperatorView::from(op)))
}
