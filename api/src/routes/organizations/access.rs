//! Loading an organisation for a caller: absent or out of scope is 404 (the same
//! answer, body included), visible but not allowed is 403.

use domain::{Action, Principal};
use persistence::Organization;
use uuid::Uuid;

use crate::error::ApiError;
use crate::state::AppState;

pub async fn visible(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    action: Action,
) -> Result<Organization, ApiError> {
    let org = state
        .db(move |s| s.organization(id))
        .await?
        .filter(|o| principal.can_see(&o.path))
        .ok_or(ApiError::NotFound)?;
    principal.authorize(action)?;
    Ok(org)
}
