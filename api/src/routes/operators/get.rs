use actix_web::{get, web, HttpResponse};
use domain::actions::ReadOperators;
use persistence::Operator;

use super::view::OperatorView;
use crate::error::ApiError;
use crate::guard::Guarded;
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
    ),
    security(("bearer" = []))
)]
#[get("/operators/{id}")]
pub async fn get_operator(
    state: web::Data<AppState>,
    op: Guarded<ReadOperators, Operator>,
) -> Result<HttpResponse, ApiError> {
    let op = op.db(&state, |_, _, op| Ok::<_, ApiError>(op)).await?;
    Ok(tagged(&mut HttpResponse::Ok(), op.version, OperatorView::from(op)))
}
