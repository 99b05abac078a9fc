//! Loading an operator for a caller: one whose home is out of scope is 404,
//! exactly like one that does not exist.

use domain::{Action, Principal};
use persistence::Operator;
use uuid::Uuid;

use crate::error::ApiError;
use crate::state::AppState;

pub async fn visible(state: &AppState, principal: &Principal, id: Uuid, action: Action) -> Result<Operator, ApiError> {
    let op = state
        .db(move |s| s.operator(id))
        .await?
        .filter(|o| principal.can_see(&o.home_path))
        .ok_or(ApiError::NotFound)?;
    principal.authorize(action)?;
    Ok(op)
}
