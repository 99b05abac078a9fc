use actix_web::{http::header, post, web, HttpResponse};
use domain::actions::ImpersonateCustomerUser;
use domain::{codes, Action, Forbidden, PrincipalKind};
use persistence::{CustomerUser, Impersonation};

use super::view::ImpersonationGrant;
use crate::auth::{audit_entry, impersonation_token, IMPERSONATION_TTL_SECS};
use crate::error::ApiError;
use crate::guard::Guarded;
use crate::problems::Problems;
use crate::state::AppState;

/// Impersonate a customer user
///
/// "Launch the customer portal as this user": returns a short-lived (15 minutes)
/// token for the customer portal, audience `customer-portal`, signed with the key
/// published at `/.well-known/jwks.json`. It names the user as `sub`, the customer
/// as `tid`, and you in the RFC 8693 `act` claim. Admin operators only (API
/// clients cannot impersonate); the user must be active and the customer active
/// or pending. Every impersonation is written to the audit log (never the token).
#[utoipa::path(
    tag = "Customer users",
    operation_id = "impersonateCustomerUser",
    params(("id" = Uuid, Path, description = "Customer user id")),
    responses(
        (status = 200, description = "A customer-portal token; never cached", body = ImpersonationGrant,
            headers(("Cache-Control" = String, description = "`no-store`"))),
        Problems<(codes::UserDisabled, codes::CustomerInactive)>,
    ),
    security(("bearer" = []))
)]
#[post("/customer-users/{id}/impersonate")]
pub async fn impersonate_customer_user(
    state: web::Data<AppState>,
    user: Guarded<ImpersonateCustomerUser, CustomerUser>,
) -> Result<HttpResponse, ApiError> {
    let (keys, issuer) = (state.keys.clone(), state.config.issuer());
    let (minted, user) = user
        .db(&state, move |s, principal, user| -> Result<_, ApiError> {
            if principal.kind != PrincipalKind::Operator {
                return Err(Forbidden {
                    action: Action::ImpersonateCustomerUser,
                }
                .into());
            }
            let minted = impersonation_token(
                &keys,
                &issuer,
                user.id,
                user.customer_id,
                principal.id,
                principal.email.as_deref(),
            )
            .map_err(|e| ApiError::Internal(e.to_string()))?;
            let record = Impersonation {
                token_id: minted.jti,
                expires_at: minted.expires_at,
            };
            let user = s.record_impersonation(&principal.home_path, user.id, &record, &audit_entry(principal))?;
            Ok((minted, user))
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(ImpersonationGrant {
            access_token: minted.token,
            token_type: "Bearer".into(),
            expires_in: IMPERSONATION_TTL_SECS,
            customer_user_id: user.id,
            customer_id: user.customer_id,
        }))
}
