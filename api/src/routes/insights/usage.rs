use actix_web::{get, web, HttpResponse};
use chrono::NaiveDate;
use domain::actions::ReadUsage;
use domain::insights::check_usage_range;
use persistence::{Organization, UsageInterval};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::ApiError;
use crate::extract::StrictQuery;
use crate::guard::Guarded;
use crate::state::AppState;

#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Interval {
    Day,
    Month,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UsageQuery {
    /// `day` (default) or `month`.
    interval: Option<Interval>,
    /// First day (`YYYY-MM-DD`, year 1900 to 9999).
    #[param(value_type = String, format = Date, pattern = "^(19|[2-9][0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    from: NaiveDate,
    /// Last day (`YYYY-MM-DD`), at most 3,660 days after `from`.
    #[param(value_type = String, format = Date, pattern = "^(19|[2-9][0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    to: NaiveDate,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UsagePoint {
    /// `YYYY-MM-DD`, or `YYYY-MM` for months.
    pub period: String,
    /// Seats purchased at the end of the period (at `to` for the last one).
    pub seats_purchased: i64,
    pub seats_assigned: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UsageSeries {
    pub organization_id: Uuid,
    pub interval: Interval,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub points: Vec<UsagePoint>,
}

/// Usage series
///
/// Seats purchased and assigned at the end of each day or month between `from`
/// and `to`, for one customer (pass its id) or a whole subtree, computed from the
/// seat history of every subscription (cancellations release their seats).
#[utoipa::path(
    tag = "Insights",
    operation_id = "getUsage",
    params(("id" = Uuid, Path, description = "Organisation or customer id"), UsageQuery),
    responses(
        (status = 200, description = "The series", body = UsageSeries),
    ),
    security(("bearer" = []))
)]
#[get("/organizations/{id}/usage")]
pub async fn get_usage(
    state: web::Data<AppState>,
    org: Guarded<ReadUsage, Organization>,
    query: StrictQuery<UsageQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.0;
    let interval = q.interval.unwrap_or(Interval::Day);
    let (from, to) = (q.from, q.to);
    let (org_id, buckets) = org
        .db(&state, move |s, _, org| -> Result<_, ApiError> {
            check_usage_range(from, to).map_err(ApiError::Invalid)?;
            let i = match interval {
                Interval::Day => UsageInterval::Day,
                Interval::Month => UsageInterval::Month,
            };
            Ok((org.id, s.usage(&org.path, i, from, to)?))
        })
        .await?;
    Ok(HttpResponse::Ok().json(UsageSeries {
        organization_id: org_id,
        interval,
        from,
        to,
        points: buckets
            .into_iter()
            .map(|b| UsagePoint {
                period: b.period,
                seats_purchased: b.seats_purchased,
                seats_assigned: b.seats_assigned,
            })
            .collect(),
    }))
}
