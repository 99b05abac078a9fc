use actix_web::{http::header, post, web, HttpResponse};
use domain::Action;
use uuid::Uuid;

use super::access::customer;
use super::view::{CreateCustomerUser, CustomerUserView};
use crate::auth::{audit_entry, Authenticated};
use crate::error::{ApiError, Problem};
use crate::extract::StrictJson;
use crate::preconditions::tagged;
use crate::state::AppState;

/// Add a customer user
///
/// Adds a person to a customer tenant, `active` at once. The e-mail may be at any
/// mailbox provider but is unique within the customer; `mobile` is E.164.
/// `master_admin` implies `admin`. A customer should have an active master admin,
/// and once it has one it never loses the last one.
#[utoipa::path(
    tag = "Customer users",
    operation_id = "createCustomerUser",
    request_body = CreateCustomerUser,
    params(("id" = Uuid, Path, description = "Customer (organisation) id")),
    responses(
        (status = 201, description = "Added", body = CustomerUserView,
            headers(("Location" = String, description = "URL of the new customer user"), ("ETag" = String, description = "Its version"))),
        (status = 403, description = "Only admins manage customer users", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such customer in your scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "This e-mail is already a user of the customer (`duplicate`, field `email`), or the customer is archived (`customer_archived`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (e.g. `mobile` not E.164, `admin: false` with `master_admin: true`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/customers/{id}/users")]
pub async fn create_customer_user(
    state: web::Data<AppState>,
    Authenticated(principal): Authenticated,
    id: web::Path<Uuid>,
    body: StrictJson<CreateCustomerUser>,
) -> Result<HttpResponse, ApiError> {
    let org = customer(&state, &principal, id.into_inner(), Action::ManageCustomerUsers).await?;
    let new = body.0.parse(org.id)?;
    let scope = principal.home_path.clone();
    let who = audit_entry(&principal);
    let user = state.db(move |s| s.add_customer_user(&scope, &new, &who)).await?;
    Ok(tagged(
        HttpResponse::Created().insert_header((header::LOCATION, format!("/v1/customer-users/{}", user.id))),
        user.version,
        CustomerUserView::from(user),
    ))
}
