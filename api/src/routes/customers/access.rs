//! A customer for a caller: an organisation of kind `customer` in scope (404 otherwise).

use domain::{Action, OrgKind, Principal};
use persistence::Organization;
use uuid::Uuid;

use crate::error::ApiError;
use crate::routes::organizations::access::visible;
use crate::state::AppState;

pub async fn customer(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    action: Action,
) -> Result<Organization, ApiError> {
    let org = visible(state, principal, id, action).await?;
    if org.kind == OrgKind::Customer {
        Ok(org)
    } else {
        Err(ApiError::NotFound)
    }
}
