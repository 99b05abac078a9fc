use actix_web::{get, web, HttpResponse};
use domain::actions::ReadCustomerUsers;
use persistence::CustomerUser;

use super::view::CustomerUserView;
use crate::error::ApiError;
use crate::guard::Guarded;
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
    ),
    security(("bearer" = []))
)]
#[get("/customer-users/{id}")]
pub async fn get_customer_user(
    state: web::Data<AppState>,
    user: Guarded<ReadCustomerUsers, CustomerUser>,
) -> Result<HttpResponse, ApiError> {
    let user = user.db(&state, |_, _, user| Ok::<_, ApiError>(user)).await?;
    Ok(tagged(
        &mut HttpResponse::Ok(),
        user.version,
        CustomerUserView::from(user),
    ))
}
