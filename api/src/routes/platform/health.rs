use actix_web::{get, web, HttpResponse};
use domain::codes;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::problems::Problems;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok`
    #[schema(example = "ok")]
    pub status: String,
}

/// Liveness
///
/// Answers while the process runs; it touches nothing else.
#[utoipa::path(tag = "Platform", operation_id = "getHealth", security(()), responses((status = 200, description = "Alive", body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok".into() })
}

/// Readiness
///
/// 200 when the database answers and every migration is applied; 503 otherwise.
#[utoipa::path(
    tag = "Platform",
    operation_id = "getReadiness",
    security(()),
    responses(
        (status = 200, description = "Ready", body = Health),
        Problems<(codes::Unavailable,)>,
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    if state.db(|s| s.ready()).await? {
        Ok(HttpResponse::Ok().json(Health { status: "ok".into() }))
    } else {
        Err(ApiError::Unavailable("migrations are pending".into()))
    }
}
