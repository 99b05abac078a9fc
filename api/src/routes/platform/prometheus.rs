use actix_web::{get, web, HttpResponse};
use domain::{codes, Action};

use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::problems::Problems;
use crate::state::AppState;

/// Metrics
///
/// The service's metrics in the Prometheus text format: requests by route
/// template, method and status (count and duration), database pool
/// connections, database errors by kind, mail outbox depth and age, export
/// slots, rate-limit rejections. Needs the `metrics` permission (admins of the
/// provider, people or API clients); `METRICS_BIND` serves it without a token
/// on a private address.
#[utoipa::path(
    tag = "Platform",
    operation_id = "getMetrics",
    responses(
        (status = 200, description = "Prometheus text exposition format 0.0.4", content_type = "text/plain", body = String,
            example = "# TYPE http_requests_total counter\nhttp_requests_total{method=\"GET\",route=\"/v1/me\",status=\"200\"} 3\n"),
        Problems<(codes::Forbidden,)>,
    ),
    security(("bearer" = []))
)]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>, caller: Authenticated) -> Result<HttpResponse, ApiError> {
    caller
        .db(&state, |_, principal| principal.authorize(Action::Metrics))
        .await?;
    Ok(crate::metrics::scrape(&state).await)
}
