use actix_web::{delete, web, HttpResponse};
use domain::Action;
use uuid::Uuid;

use crate::auth::{audit_entry, Authenticated};
use crate::error::{ApiError, Problem};
use crate::routes::organizations::access::visible;
use crate::state::AppState;

/// Revoke the activation link
///
/// The organisation's current activation link stops working at once; accepting
/// it answers as for any unknown link. Revoking when there is no live link changes
/// nothing (still 204). Send a new link to onboard the organisation after all.
#[utoipa::path(
    tag = "Onboarding",
    operation_id = "revokeActivationLink",
    params(("id" = Uuid, Path, description = "Organisation id")),
    responses(
        (status = 204, description = "No live link remains"),
        (status = 403, description = "Only admins manage activation links", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organisation in your scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/organizations/{id}/activation-link")]
pub async fn revoke_activation_link(
    state: web::Data<AppState>,
    Authenticated(principal): Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let org = visible(&state, &principal, id.into_inner(), Action::ManageActivationLinks).await?;
    let scope = principal.home_path.clone();
    let who = audit_entry(&principal);
    let now = state.clock.now();
    state
        .db(move |s| s.revoke_activation_link(&scope, org.id, now, &who))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
