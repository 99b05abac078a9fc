use actix_web::{delete, web, HttpResponse};
use domain::actions::ManageActivationLinks;
use persistence::Organization;

use crate::auth::audit_entry;
use crate::error::ApiError;
use crate::guard::Guarded;
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
    ),
    security(("bearer" = []))
)]
#[delete("/organizations/{id}/activation-link")]
pub async fn revoke_activation_link(
    state: web::Data<AppState>,
    guarded: Guarded<ManageActivationLinks, Organization>,
) -> Result<HttpResponse, ApiError> {
    let now = state.clock.now();
    guarded
        .db(&state, move |s, principal, org| {
            s.revoke_activation_link(&principal.home_path, org.id, now, &audit_entry(principal))
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
