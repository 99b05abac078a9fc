use actix_web::{patch, web, HttpRequest, HttpResponse};
use domain::Action;
use uuid::Uuid;

use super::access::visible;
use super::view::{CustomerUserView, UpdateCustomerUser};
use crate::auth::{audit_entry, Authenticated};
use crate::error::{ApiError, Problem};
use crate::extract::StrictJson;
use crate::preconditions::{if_match, tagged};
use crate::state::AppState;

/// Change a customer user
///
/// Changes any of name, e-mail, mobile, the `admin` and `master_admin` flags, and
/// the status (`active` or `disabled`). Setting `master_admin` sets `admin` too. A
/// change that would leave the customer without an active master admin (demoting
/// or disabling the last one) is refused with `last_master_admin`. Send the `ETag`
/// you read as `If-Match`.
#[utoipa::path(
    tag = "Customer users",
    operation_id = "updateCustomerUser",
    request_body = UpdateCustomerUser,
    params(
        ("id" = Uuid, Path, description = "Customer user id"),
        ("If-Match" = Option<String>, Header, description = "The ETag you read; the update applies only if it is still current"),
    ),
    responses(
        (status = 200, description = "Updated", body = CustomerUserView, headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "Only admins manage customer users", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such customer user in your scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The e-mail is taken in this customer (`duplicate`), or the customer would lose its last active master admin (`last_master_admin`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` is stale", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (e.g. `mobile` not E.164, `admin: false` for a master admin)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/customer-users/{id}")]
pub async fn update_customer_user(
    state: web::Data<AppState>,
    Authenticated(principal): Authenticated,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: StrictJson<UpdateCustomerUser>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    visible(&state, &principal, id, Action::ManageCustomerUsers).await?;
    let expected = if_match(&req)?;
    let patch = body.0.parse()?;
    let scope = principal.home_path.clone();
    let who = audit_entry(&principal);
    let user = state
        .db(move |s| s.update_customer_user(&scope, id, expected, &patch, &who))
        .await?;
    Ok(tagged(
        &mut HttpResponse::Ok(),
        user.version,
        CustomerUserView::from(user),
    ))
}
