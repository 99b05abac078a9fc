use actix_web::{get, web, HttpResponse};
use domain::{Action, OrgKind, OrgStatus};
use persistence::ChildrenFilter;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::access::visible;
use super::view::{present, OrganizationPage};
use crate::auth::Authenticated;
use crate::error::{ApiError, Problem};
use crate::extract::StrictQuery;
use crate::pagination;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChildrenQuery {
    /// Only children of this kind.
    kind: Option<OrgKind>,
    /// Only children in this status (all statuses when absent).
    status: Option<OrgStatus>,
    /// Page size, 1 to 500.
    #[param(minimum = 1, maximum = 500, default = 50)]
    limit: Option<i64>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// List direct children
///
/// The organisations directly under this one, oldest first, filtered by kind and
/// status. Cursor-paginated.
#[utoipa::path(
    tag = "Organizations",
    operation_id = "listChildren",
    params(("id" = Uuid, Path, description = "Organisation id"), ChildrenQuery),
    responses(
        (status = 200, description = "A page of children", body = OrganizationPage),
        (status = 403, description = "`kind` names a list your organisation's kind does not have (a partner lists partners and customers; a distributor partners and customers; the provider everything)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organisation in your scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid filter, limit or cursor", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/organizations/{id}/children")]
pub async fn list_children(
    state: web::Data<AppState>,
    Authenticated(principal): Authenticated,
    id: web::Path<Uuid>,
    query: StrictQuery<ChildrenQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.0;
    let limit = pagination::limit(q.limit)?;
    domain::check_listable(principal.home_kind, q.kind)?;
    let after = pagination::decode_uuid("id", q.cursor.as_deref())?;
    let parent = visible(&state, &principal, id.into_inner(), Action::ReadOrganizations).await?;
    let filter = ChildrenFilter {
        kind: q.kind,
        status: q.status,
    };
    let rows = state
        .db(move |s| s.children(parent.id, &filter, after, limit + 1))
        .await?;
    let (rows, next_cursor) = pagination::split_page(rows, limit, |o| o.id.to_string(), "id");
    let items = present(&state, &principal, rows).await?;
    Ok(HttpResponse::Ok().json(OrganizationPage { items, next_cursor }))
}
