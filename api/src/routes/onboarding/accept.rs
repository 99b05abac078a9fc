use actix_web::http::header;
use actix_web::{post, web, HttpResponse};
use domain::codes;
use persistence::FirstAdminDetails;

use super::view::{AcceptActivation, AcceptedActivation};
use super::MAX_TOKEN_CHARS;
use crate::error::ApiError;
use crate::extract::StrictJson;
use crate::problems::Problems;
use crate::state::AppState;

/// Accept an activation link
///
/// Public (no bearer token; rate limited per client address). The link's
/// organisation becomes `active`, and the person named here becomes its first
/// admin: an operator with the `admin` role for a partner or distributor (sign in
/// with that work e-mail), a master-admin customer user for a customer. With a
/// `password`, the first admin can sign in at once (`POST /v1/sessions`). The link
/// works once: of two accepts at the same moment exactly one succeeds. Unknown,
/// used, expired and revoked links all get the same 404 `activation_not_found`.
#[utoipa::path(
    tag = "Onboarding",
    operation_id = "acceptActivation",
    request_body = AcceptActivation,
    params(("token" = String, Path, description = "The token from the activation mail")),
    responses(
        (status = 200, description = "Accepted: the organisation is active", body = AcceptedActivation),
        Problems<(codes::ActivationNotFound, codes::Duplicate, codes::RateLimited)>,
    ),
    security(())
)]
#[post("/activations/{token}")]
pub async fn accept_activation(
    state: web::Data<AppState>,
    token: web::Path<String>,
    body: StrictJson<AcceptActivation>,
) -> Result<HttpResponse, ApiError> {
    let (name, email, password) = body.0.parse()?;
    let token = token.into_inner();
    if token.chars().count() > MAX_TOKEN_CHARS {
        return Err(ApiError::ActivationNotFound);
    }
    let hash = crate::secrets::hash(&token);
    let now = state.clock.now();
    let password_hash = match password {
        Some(p) => Some(
            web::block(move || crate::auth::hash_password(p.expose()))
                .await
                .map_err(|e| ApiError::Internal(format!("blocking pool: {e}")))??,
        ),
        None => None,
    };
    let admin = FirstAdminDetails {
        name,
        email,
        password_hash,
    };
    let activation = state
        .db(move |s| s.accept_activation(&hash, &admin, now))
        .await
        .map_err(|e| match e {
            ApiError::NotFound => ApiError::ActivationNotFound,
            other => other,
        })?;
    tracing::info!(
        organization = %activation.organization.id,
        kind = activation.organization.kind.as_str(),
        "activation link accepted"
    );
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .json(AcceptedActivation::from(activation)))
}
