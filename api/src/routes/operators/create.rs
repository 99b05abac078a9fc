use actix_web::{http::header, post, web, HttpResponse};
use domain::actions::ManageOperators;
use domain::{codes, DomainError, OperatorStatus};
use persistence::{NewOperator, Organization};

use super::view::{CreateOperator, OperatorView};
use crate::auth::audit_entry;
use crate::error::ApiError;
use crate::extract::StrictJson;
use crate::guard::Guarded;
use crate::preconditions::tagged;
use crate::problems::Problems;
use crate::state::AppState;

/// Add an operator
///
/// Adds a person to this organisation with the given roles and mails them an
/// invitation with a link that sets their password (7 days, once; then they
/// sign in with `POST /v1/sessions`, or with their identity provider). They
/// start `invited` and become `active` at their first sign-in. The same e-mail can be added to an
/// organisation only once; customers (tenants) have customer users, not operators.
#[utoipa::path(
    tag = "Operators",
    operation_id = "createOperator",
    request_body = CreateOperator,
    params(("id" = Uuid, Path, description = "The operator's home organisation")),
    responses(
        (status = 201, description = "Added", body = OperatorView,
            headers(("Location" = String, description = "URL of the new operator"), ("ETag" = String, description = "Its version"))),
        Problems<(codes::Duplicate, codes::CustomerHasNoOperators)>,
    ),
    security(("bearer" = []))
)]
#[post("/organizations/{id}/operators")]
pub async fn create_operator(
    state: web::Data<AppState>,
    org: Guarded<ManageOperators, Organization>,
    body: StrictJson<CreateOperator>,
) -> Result<HttpResponse, ApiError> {
    let issuer = state.config.issuer();
    let (token, token_hash) = crate::routes::onboarding::activation_token();
    let set_password = state.config.password_link(&token);
    let expires_at = state.clock.now() + domain::credentials::INVITATION_TTL;
    let op = org
        .db(&state, move |s, principal, org| -> Result<_, ApiError> {
            let (email, name, roles) = body.0.parse()?;
            org.kind.check_homes_operators().map_err(DomainError::from)?;
            let new = NewOperator {
                home_organization_id: org.id,
                email,
                name,
                roles,
                status: OperatorStatus::Invited,
            };
            let mail = crate::mail::compose::operator_invitation(
                new.email.as_str(),
                new.name.as_str(),
                &org.name,
                &new.roles,
                &issuer,
                &set_password,
                expires_at,
            );
            Ok(s.invite_operator(
                &principal.home_path,
                &new,
                (&token_hash, expires_at),
                &mail,
                &audit_entry(principal),
            )?)
        })
        .await?;
    Ok(tagged(
        HttpResponse::Created().insert_header((header::LOCATION, format!("/v1/operators/{}", op.id))),
        op.version,
        OperatorView::from(op),
    ))
}
