use actix_web::{get, web, HttpResponse};
use domain::actions::ReadOperators;
use domain::{OperatorStatus, Role};
use persistence::{OperatorFilter, Organization};
use serde::Deserialize;
use utoipa::IntoParams;

use super::view::{OperatorPage, OperatorView};
use crate::error::ApiError;
use crate::extract::StrictQuery;
use crate::guard::Guarded;
use crate::pagination;
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
    ),
    security(("bearer" = []))
)]
#[get("/organizations/{id}/operators")]
pub async fn list_operators(
    state: web::Data<AppState>,
    org: Guarded<ReadOperators, Organization>,
    query: StrictQuery<OperatorsQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.0;
    let (rows, limit) = org
        .db(&state, move |s, _, org| -> Result<_, ApiError> {
            let limit = pagination::limit(q.limit)?;
            let after = pagination::decode_uuid("operator", q.cursor.as_deref())?;
            let search = pagination::search_text(q.q, 254)?;
            let filter = OperatorFilter {
                role: q.role,
                status: q.status,
                email_contains: search,
            };
            Ok((s.list_operators(&org.path, &filter, after, limit + 1)?, limit))
        })
        .await?;
    let (rows, next_cursor) = pagination::split_page(rows, limit, |o| o.id.to_string(), "operator");
    Ok(HttpResponse::Ok().json(OperatorPage {
        items: rows.into_iter().map(OperatorView::from).collect(),
        next_cursor,
    }))
}
