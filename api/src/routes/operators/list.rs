use actix_web::{get, web, HttpResponse};
use domain::{Action, OperatorStatus, Role};
use persistence::OperatorFilter;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::view::{OperatorPage, OperatorView};
use crate::auth::Authenticated;
use crate::error::{ApiError, Problem};
use crate::extract::StrictQuery;
use crate::pagination;
use crate::routes::organizations::access::visible;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OperatorsQuery {
    /// Only operators holding this role.
    role: Option<Role>,
    /// Only operators in this status.
    status: Option<OperatorStatus>,
    /// Case-insensitive substring of the e-mail.
    #[param(max_length = 254)]
    q: Option<String>,
    /// Page size, 1 to 500.
    #[param(minimum = 1, maximum = 500, default = 50)]
    limit: Option<i64>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// List operators
///
/// The operators of this organisation and of every organisation below it, oldest
/// first, filtered by role, status and e-mail.
#[utoipa::path(
    tag = "Operators",
    operation_id = "listOperators",
    params(("id" = Uuid, Path, description = "Organisation id"), OperatorsQuery),
    responses(
        (status = 200, description = "A page of operators", body = OperatorPage),
        (status = 403, description = "Your roles do not allow reading operators", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organisation in your scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/organizations/{id}/operators")]
pub async fn list_operators(
    state: web::Data<AppState>,
    Authenticated(principal): Authenticated,
    id: web::Path<Uuid>,
    query: StrictQuery<OperatorsQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.0;
    let limit = pagination::limit(q.limit)?;
    let after = pagination::decode_uuid("operator", q.cursor.as_deref())?;
    let search = pagination::search_text(q.q, 254)?;
    let org = visible(&state, &principal, id.into_inner(), Action::ReadOperators).await?;
    let filter = OperatorFilter {
        role: q.role,
        status: q.status,
        email_contains: search,
    };
    let rows = state
        .db(move |s| s.list_operators(&org.path, &filter, after, limit + 1))
        .await?;
    let (rows, next_cursor) = pagination::split_page(rows, limit, |o| o.id.to_string(), "operator");
    Ok(HttpResponse::Ok().json(OperatorPage {
        items: rows.into_iter().map(OperatorView::from).collect(),
        next_cursor,
    }))
}
