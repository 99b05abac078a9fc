use actix_web::{post, web, HttpResponse};
use domain::actions::ManageActivationLinks;
use domain::codes;
use domain::onboarding::{check_activation_target, link_expiry};
use domain::WorkEmail;
use persistence::{NewActivationLink, Organization};

use super::activation_token;
use super::view::{ActivationLinkView, SendActivationLink};
use crate::auth::audit_entry;
use crate::error::ApiError;
use crate::extract::StrictJson;
use crate::guard::Guarded;
use crate::mail::compose;
use crate::problems::Problems;
use crate::state::AppState;

/// Send an activation link
///
/// Mails the activation link of a `pending` partner, distributor or customer to
/// `email`. Whoever accepts it becomes the organisation's first admin (partners,
/// distributors) or first master admin (customers), and the organisation becomes
/// `active`. Sending again replaces the previous link, which stops working at
/// once. The link is single-use and expires (7 days unless configured otherwise);
/// its token is only ever in the mail, never in this answer.
#[utoipa::path(
    tag = "Onboarding",
    operation_id = "sendActivationLink",
    request_body = SendActivationLink,
    params(("id" = Uuid, Path, description = "The pending organisation")),
    responses(
        (status = 200, description = "Sent; the mail is queued", body = ActivationLinkView),
        Problems<(codes::NotPending, codes::NotOnboardable)>,
    ),
    security(("bearer" = []))
)]
#[post("/organizations/{id}/activation-link")]
pub async fn send_activation_link(
    state: web::Data<AppState>,
    guarded: Guarded<ManageActivationLinks, Organization>,
    body: StrictJson<SendActivationLink>,
) -> Result<HttpResponse, ApiError> {
    let now = state.clock.now();
    let expires_at = link_expiry(now, state.config.activation_ttl_hours);
    let (token, token_hash) = activation_token();
    let url = state.config.activation_link(&token);
    let sent = guarded
        .db(&state, move |s, principal, org| -> Result<_, ApiError> {
            let email = WorkEmail::parse(&body.0.email, "email")?;
            check_activation_target(org.kind, org.status)?;
            let mail = compose::activation_link(email.as_str(), &org.name, org.kind, &url, expires_at);
            let link = NewActivationLink {
                email,
                token_hash,
                expires_at,
            };
            let who = audit_entry(principal);
            Ok(s.send_activation_link(&principal.home_path, org.id, &link, &mail, now, &who)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(ActivationLinkView::from(sent)))
}
