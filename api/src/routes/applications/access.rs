//! Loading an application for a caller: absent, or to a programme outside the
//! caller's scope, is 404 (the same answer); visible but not allowed is 403.

use domain::{Action, Principal};
use persistence::Application;
use uuid::Uuid;

use crate::error::ApiError;
use crate::state::AppState;

pub async fn visible(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    action: Action,
) -> Result<Application, ApiError> {
    let app = state
        .db(move |s| s.application(id))
        .await?
        .filter(|a| principal.can_see(&a.programme_path))
        .ok_or(ApiError::NotFound)?;
    principal.authorize(action)?;
    Ok(app)
}
