use actix_web::{http::header, post, web, HttpResponse};
use domain::actions::ManageCustomerUsers;
use domain::codes;

use super::invitation::invite;
use super::view::{CreateCustomerUser, CustomerUserView};
use crate::auth::audit_entry;
use crate::error::ApiError;
use crate::extract::StrictJson;
use crate::guard::{Customer, Guarded};
use crate::preconditions::tagged;
use crate::problems::Problems;
use crate::state::AppState;

/// Add a customer user
///
/// Adds a person to a customer tenant, `active` at once. The e-mail may be at any
/// mailbox provider but is unique within the customer; `mobile` is E.164.
/// `master_admin` implies `admin`. A customer should have an active master admin,
/// and once it has one it never loses the last one. With `send_invitation`, the
/// user is mailed an "activate your account" link that sets their
/// customer-portal password.
#[utoipa::path(
    tag = "Customer users",
    operation_id = "createCustomerUser",
    request_body = CreateCustomerUser,
    params(("id" = Uuid, Path, description = "Customer (organisation) id")),
    responses(
        (status = 201, description = "Added", body = CustomerUserView,
            headers(("Location" = String, description = "URL of the new customer user"), ("ETag" = String, description = "Its version"))),
        Problems<(codes::Duplicate, codes::CustomerArchived)>,
    ),
    security(("bearer" = []))
)]
#[post("/customers/{id}/users")]
pub async fn create_customer_user(
    state: web::Data<AppState>,
    customer: Guarded<ManageCustomerUsers, Customer>,
    body: StrictJson<CreateCustomerUser>,
) -> Result<HttpResponse, ApiError> {
    let config = state.config.clone();
    let now = state.clock.now();
    let user = customer
        .db(&state, move |s, principal, customer| -> Result<_, ApiError> {
            let new = body.0.parse(customer.id)?;
            let user = s.add_customer_user(&principal.home_path, &new, &audit_entry(principal))?;
            if body.0.send_invitation {
                let who = audit_entry(principal);
                invite(s, &config, &principal.home_path, &user, &customer.0.name, now, &who)?;
            }
            Ok(user)
        })
        .await?;
    Ok(tagged(
        HttpResponse::Created().insert_header((header::LOCATION, format!("/v1/customer-users/{}", user.id))),
        user.version,
        CustomerUserView::from(user),
    ))
}
