use domain::{Action, Principal};
use persistence::ApiClient;
use uuid::Uuid;

use crate::error::ApiError;
use crate::state::AppState;

/// An API client whose home is in the caller's scope (404 otherwise), if the role allows `action`.
pub async fn visible(state: &AppState, principal: &Principal, id: Uuid, action: Action) -> Result<ApiClient, ApiError> {
    let client = state
        .db(move |s| s.api_client(id))
        .await?
        .filter(|c| principal.can_see(&c.home_path))
        .ok_or(ApiError::NotFound)?;
    principal.authorize(action)?;
    Ok(client)
}
