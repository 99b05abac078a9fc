use actix_web::{get, web, HttpResponse};
use domain::Action;
use uuid::Uuid;

use super::access::visible;
use super::view::CustomerUserView;
use crate::auth::Authenticated;
use crate::error::{ApiError, Problem};
use crate::preconditions::tagged;
use crate::state::AppState;

/// Read a customer user
///
/// One user of a customer in your scope. `last_sign_in_at` is recorded by the
/// customer portal and is read-only here.
#[utoipa::path(
    tag = "Customer users",
    operation_id = "getCustomerUser",
    params(("id" = Uuid, Path, description = "Customer user id")),
    responses(
        (status = 200, description = "The customer user", body = CustomerUserView,
            headers(("ETag" = String, description = "The user's version"))),
        (status = 403, description = "Your roles do not allow reading customer users", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such customer user in your scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/customer-users/{id}")]
pub async fn get_customer_user(
    state: web::Data<AppState>,
    Authenticated(principal): Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let user = visible(&state, &principal, id.into_inner(), Action::ReadCustomerUsers).await?;
    Ok(tagged(
        &mut HttpResponse::Ok(),
        user.version,
        CustomerUserView::from(user),
    ))
}
