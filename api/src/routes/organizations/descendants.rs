use actix_web::{get, web, HttpResponse};
use domain::actions::ReadOrganizations;
use domain::{codes, OrgKind, OrgStatus};
use persistence::{DescendantFilter, Organization};
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
pub struct DescendantsQuery {
    /// Only organisations of this kind.
    kind: Option<OrgKind>,
    /// Only organisations in this status; without it, all but `archived`.
    status: Option<OrgStatus>,
    /// Case-insensitive substring of the name.
    #[param(max_length = 200)]
    q: Option<String>,
    /// Page size, 1 to 500.
    #[param(minimum = 1, maximum = 500, default = 50)]
    limit: Option<i64>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// List the whole subtree
///
/// Every organisation below this one, at any depth, in tree order (each
/// organisation directly before its own subtree). Filter by kind and status, and
/// search names case-insensitively with `q`. Cursor-paginated; each page is one
/// range scan of an index, however deep or large the tree.
#[utoipa::path(
    tag = "Organizations",
    operation_id = "listDescendants",
    params(("id" = Uuid, Path, description = "Organisation id"), DescendantsQuery),
    responses(
        (status = 200, description = "A page of the subtree", body = OrganizationPage),
        Problems<(codes::PageNotAvailable,)>,
    ),
    security(("bearer" = []))
)]
#[get("/organizations/{id}/descendants")]
pub async fn list_descendants(
    state: web::Data<AppState>,
    root: Guarded<ReadOrganizations, Organization>,
    query: StrictQuery<DescendantsQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.0;
    let page = root
        .db(&state, move |s, principal, root| -> Result<_, ApiError> {
            let limit = pagination::limit(q.limit)?;
            domain::check_listable(principal.home_kind, q.kind)?;
            let after = q.cursor.as_deref().map(|c| pagination::decode("path", c)).transpose()?;
            let search = pagination::search_text(q.q, 200)?;
            let filter = DescendantFilter {
                kind: q.kind,
                status: q.status,
                name_contains: search,
            };
            let rows = s.descendants(&root.path, &filter, after.as_deref(), limit + 1)?;
            let (rows, next_cursor) = pagination::split_page(rows, limit, |o| o.path.as_str().to_string(), "path");
            let items = present(s, principal, rows)?;
            Ok(OrganizationPage { items, next_cursor })
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}
