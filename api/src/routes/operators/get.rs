use actix_web::{get, HttpResponse};
use domain::actions::ReadOperators;
use persistence::Operator;

use super::view::OperatorView;
use crate::guard::Guarded;
use crate::preconditions::tagged;

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
pub async fn get_operator(op: Guarded<ReadOperators, Operator>) -> HttpResponse {
    let op = op.into_record();
    tagged(&mut HttpResponse::Ok(), op.version, OperatorView::from(op))
}
