use actix_web::{get, web, HttpResponse};
use domain::actions::ReadApiClients;
use persistence::Organization;
use serde::Deserialize;
use utoipa::IntoParams;

use super::view::{ApiClientPage, ApiClientView};
use crate::error::ApiError;
use crate::extract::StrictQuery;
use crate::guard::Guarded;
use crate::pagination;
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
    ),
    security(("bearer" = []))
)]
#[get("/organizations/{id}/api-clients")]
pub async fn list_api_clients(
    state: web::Data<AppState>,
    org: Guarded<ReadApiClients, Organization>,
    query: StrictQuery<ApiClientsQuery>,
) -> Result<HttpResponse, ApiError> {
    let (rows, limit) = org
        .db(&state, move |s, _, org| -> Result<_, ApiError> {
            let limit = pagination::limit(query.0.limit)?;
            let after = pagination::decode_uuid("api_client", query.0.cursor.as_deref())?;
            Ok((s.list_api_clients(&org.path, after, limit + 1)?, limit))
        })
        .await?;
    let (rows, next_cursor) = pagination::split_page(rows, limit, |c| c.id.to_string(), "api_client");
    Ok(HttpResponse::Ok().json(ApiClientPage {
        items: rows.into_iter().map(ApiClientView::from).collect(),
        next_cursor,
    }))
}
