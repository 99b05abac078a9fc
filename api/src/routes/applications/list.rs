use actix_web::{get, web, HttpResponse};
use domain::actions::ReviewApplications;
use domain::ApplicationStatus;
use persistence::{ApplicationFilter, Organization};
use serde::Deserialize;
use utoipa::IntoParams;

use super::view::{ApplicationPage, ApplicationView};
use crate::error::ApiError;
use crate::extract::StrictQuery;
use crate::guard::Guarded;
use crate::pagination;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ApplicationsQuery {
    /// Only applications in this status.
    status: Option<ApplicationStatus>,
    /// Page size, 1 to 500.
    #[param(minimum = 1, maximum = 500, default = 50)]
    limit: Option<i64>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// List applications
///
/// The applications to this organisation's partner programme, oldest first,
/// optionally only those in one status (e.g. `pending`, the ones to decide).
#[utoipa::path(
    tag = "Applications",
    operation_id = "listApplications",
    params(("id" = Uuid, Path, description = "The programme's organisation"), ApplicationsQuery),
    responses(
        (status = 200, description = "A page of applications", body = ApplicationPage),
    ),
    security(("bearer" = []))
)]
#[get("/organizations/{id}/applications")]
pub async fn list_applications(
    state: web::Data<AppState>,
    org: Guarded<ReviewApplications, Organization>,
    query: StrictQuery<ApplicationsQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.0;
    let (rows, limit) = org
        .db(&state, move |s, _, org| -> Result<_, ApiError> {
            let limit = pagination::limit(q.limit)?;
            let after = pagination::decode_uuid("application", q.cursor.as_deref())?;
            let filter = ApplicationFilter { status: q.status };
            Ok((s.list_applications(org.id, &filter, after, limit + 1)?, limit))
        })
        .await?;
    let (rows, next_cursor) = pagination::split_page(rows, limit, |a| a.id.to_string(), "application");
    Ok(HttpResponse::Ok().json(ApplicationPage {
        items: rows.into_iter().map(ApplicationView::from).collect(),
        next_cursor,
    }))
}
