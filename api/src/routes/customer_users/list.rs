use actix_web::{get, web, HttpResponse};
use domain::actions::ReadCustomerUsers;
use persistence::CustomerUserFilter;
use serde::Deserialize;
use utoipa::IntoParams;

use super::view::{CustomerUserPage, CustomerUserStatus, CustomerUserView};
use crate::error::ApiError;
use crate::extract::StrictQuery;
use crate::guard::{Customer, Guarded};
use crate::pagination;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CustomerUsersQuery {
    /// Only users in this status.
    status: Option<CustomerUserStatus>,
    /// Case-insensitive substring of the e-mail or the name.
    #[param(max_length = 254)]
    q: Option<String>,
    /// Page size, 1 to 500.
    #[param(minimum = 1, maximum = 500, default = 50)]
    limit: Option<i64>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// List a customer's users
///
/// The users of one customer tenant, oldest first, filtered by status and by a
/// search in e-mail and name.
#[utoipa::path(
    tag = "Customer users",
    operation_id = "listCustomerUsers",
    params(("id" = Uuid, Path, description = "Customer (organisation) id"), CustomerUsersQuery),
    responses(
        (status = 200, description = "A page of customer users", body = CustomerUserPage),
    ),
    security(("bearer" = []))
)]
#[get("/customers/{id}/users")]
pub async fn list_customer_users(
    state: web::Data<AppState>,
    customer: Guarded<ReadCustomerUsers, Customer>,
    query: StrictQuery<CustomerUsersQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.0;
    let (rows, limit) = customer
        .db(&state, move |s, _, customer| -> Result<_, ApiError> {
            let limit = pagination::limit(q.limit)?;
            let after = pagination::decode_uuid("customer_user", q.cursor.as_deref())?;
            if q.q
                .as_ref()
                .is_some_and(|s| s.chars().count() > 254 || s.contains('\0'))
            {
                return Err(ApiError::invalid(
                    "q",
                    "invalid_value",
                    "q must be at most 254 characters, without NUL",
                ));
            }
            let filter = CustomerUserFilter {
                status: q.status.map(Into::into),
                search: q.q.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()),
            };
            Ok((s.list_customer_users(customer.id, &filter, after, limit + 1)?, limit))
        })
        .await?;
    let (rows, next_cursor) = pagination::split_page(rows, limit, |u| u.id.to_string(), "customer_user");
    Ok(HttpResponse::Ok().json(CustomerUserPage {
        items: rows.into_iter().map(CustomerUserView::from).collect(),
        next_cursor,
    }))
}
