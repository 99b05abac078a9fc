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
/// 200 when the database answers and every migration is applied; 503 otherwise,
/// within half a second, and from the moment the process is asked to stop
/// (while it still serves, so a load balancer can take it out first).
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
    if state.lifecycle.is_draining() {
        return Err(ApiError::Unavailable("the server is shutting down".into()));
    }
    let store = state.store.clone();
    if web::block(move || store.ready()).await?? {
        Ok(HttpResponse::Ok().json(Health { status: "ok".into() }))
    } else {
        Err(ApiError::Unavailable("migrations are pending".into()))
    }
}
