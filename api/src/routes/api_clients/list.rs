use actix_web::{get, web, HttpResponse};
use domain::Action;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::view::{ApiClientPage, ApiClientView};
use crate::auth::Authenticated;
use crate::error::{ApiError, Problem};
use crate::extract::StrictQuery;
use crate::pagination;
use crate::routes::organizations::access::visible;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ApiClientsQuery {
    /// Page size, 1 to 500.
    #[param(minimum = 1, maximum = 500, default = 50)]
    limit: Option<i64>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// List API clients
///
/// The API clients of this organisation and every organisation below it, oldest
/// first, revoked ones included. Secrets are never shown.
#[utoipa::path(
    tag = "API clients",
    operation_id = "listApiClients",
    params(("id" = Uuid, Path, description = "Organisation id"), ApiClientsQuery),
    responses(
        (status = 200, description = "A page of API clients", body = ApiClientPage),
        (status = 403, description = "Only admins see API clients", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organisation in your scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/organizations/{id}/api-clients")]
pub async fn list_api_clients(
    state: web::Data<AppState>,
    Authenticated(principal): Authenticated,
    id: web::Path<Uuid>,
    query: StrictQuery<ApiClientsQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = pagination::limit(query.0.limit)?;
    let after = pagination::decode_uuid("api_client", query.0.cursor.as_deref())?;
    let org = visible(&state, &principal, id.into_inner(), Action::ReadApiClients).await?;
    let rows = state
        .db(move |s| s.list_api_clients(&org.path, after, limit + 1))
        .await?;
    let (rows, next_cursor) = pagination::split_page(rows, limit, |c| c.id.to_string(), "api_client");
    Ok(HttpResponse::Ok().json(ApiClientPage {
        items: rows.into_iter().map(ApiClientView::from).collect(),
        next_cursor,
    }))
}
