use actix_web::{get, web, HttpResponse};
use domain::actions::ReadOrganizations;
use domain::{codes, OrgKind, OrgStatus};
use persistence::{ChildrenFilter, Organization};
use serde::Deserialize;
use utoipa::IntoParams;

use super::view::{present, OrganizationPage};
use crate::error::ApiError;
use crate::extract::StrictQuery;
use crate::guard::Guarded;
use crate::pagination;
use crate::problems::Problems;
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
        Problems<(codes::PageNotAvailable,)>,
    ),
    security(("bearer" = []))
)]
#[get("/organizations/{id}/children")]
pub async fn list_children(
    state: web::Data<AppState>,
    parent: Guarded<ReadOrganizations, Organization>,
    query: StrictQuery<ChildrenQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.0;
    let page = parent
        .db(&state, move |s, principal, parent| -> Result<_, ApiError> {
            let limit = pagination::limit(q.limit)?;
            domain::check_listable(principal.home_kind, q.kind)?;
            let after = pagination::decode_uuid("id", q.cursor.as_deref())?;
            let filter = ChildrenFilter {
                kind: q.kind,
                status: q.status,
            };
            let rows = s.children(parent.id, &filter, after, limit + 1)?;
            let (rows, next_cursor) = pagination::split_page(rows, limit, |o| o.id.to_string(), "id");
            let items = present(s, principal, rows)?;
            Ok(OrganizationPage { items, next_cursor })
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}
