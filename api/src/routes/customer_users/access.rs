//! Loading a customer or a customer user for a caller: absent, out of scope, or
//! (for `/v1/customers/{id}`) an organisation that is not a customer is 404, the
//! same answer as a random id; visible but not allowed is 403.

use domain::{Action, OrgKind, Principal};
use persistence::{CustomerUser, Organization};
use uuid::Uuid;

use crate::error::ApiError;
use crate::state::AppState;

/// The customer `id`, if it is a customer organisation in the caller's scope.
pub async fn customer(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    action: Action,
) -> Result<Organization, ApiError> {
    let org = state
        .db(move |s| s.organization(id))
        .await?
        .filter(|o| o.kind == OrgKind::Customer && principal.can_see(&o.path))
        .ok_or(ApiError::NotFound)?;
    principal.authorize(action)?;
    Ok(org)
}

/// The customer user `id`, if its customer is in the caller's scope.
pub async fn visible(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    action: Action,
) -> Result<CustomerUser, ApiError> {
    let user = state
        .db(move |s| s.customer_user(id))
        .await?
        .filter(|u| principal.can_see(&u.customer_path))
        .ok_or(ApiError::NotFound)?;
    principal.authorize(action)?;
    Ok(user)
}
