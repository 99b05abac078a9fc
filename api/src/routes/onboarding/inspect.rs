use actix_web::http::header;
use actix_web::{get, web, HttpResponse};
use domain::codes;

use super::view::ActivationView;
use super::MAX_TOKEN_CHARS;
use crate::error::ApiError;
use crate::problems::Problems;
use crate::state::AppState;

/// Read an activation link
///
/// Public (no bearer token; rate limited per client address). Says what a live
/// link is for: the organisation's name and kind, and when the link expires.
/// Unknown, used, expired and revoked links all get the same 404
/// `activation_not_found`, which says nothing about any organisation.
#[utoipa::path(
    tag = "Onboarding",
    operation_id = "getActivation",
    params(("token" = String, Path, description = "The token from the activation mail")),
    responses(
        (status = 200, description = "A live link", body = ActivationView),
        Problems<(codes::ActivationNotFound, codes::RateLimited)>,
    ),
    security(())
)]
#[get("/activations/{token}")]
pub async fn get_activation(state: web::Data<AppState>, token: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let token = token.into_inner();
    if token.chars().count() > MAX_TOKEN_CHARS {
        return Err(ApiError::ActivationNotFound);
    }
    let hash = crate::secrets::hash(&token);
    let now = state.clock.now();
    let target = state
        .db(move |s| s.activation_target(&hash, now))
        .await?
        .ok_or(ApiError::ActivationNotFound)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .json(ActivationView::from(target)))
}
