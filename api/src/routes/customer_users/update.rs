use actix_web::{patch, web, HttpRequest, HttpResponse};
use domain::actions::ManageCustomerUsers;
use domain::codes;
use persistence::CustomerUser;

use super::view::{CustomerUserView, UpdateCustomerUser};
use crate::auth::audit_entry;
use crate::error::ApiError;
use crate::extract::StrictJson;
use crate::guard::Guarded;
use crate::preconditions::{if_match, tagged};
use crate::problems::Problems;
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
        Problems<(codes::Duplicate, codes::LastMasterAdmin, codes::StaleVersion)>,
    ),
    security(("bearer" = []))
)]
#[patch("/customer-users/{id}")]
pub async fn update_customer_user(
    state: web::Data<AppState>,
    user: Guarded<ManageCustomerUsers, CustomerUser>,
    req: HttpRequest,
    body: StrictJson<UpdateCustomerUser>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req);
    let user = user
        .db(&state, move |s, principal, user| -> Result<_, ApiError> {
            let expected = expected?;
            let patch = body.0.parse()?;
            let who = audit_entry(principal);
            Ok(s.update_customer_user(&principal.home_path, user.id, expected, &patch, &who)?)
        })
        .await?;
    Ok(tagged(
        &mut HttpResponse::Ok(),
        user.version,
        CustomerUserView::from(user),
    ))
}
