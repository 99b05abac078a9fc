//! Loading an organisation for a caller: absent or out of scope is 404 (the same
//! answer, body included), visible but not allowed is 403.

use domain::{listable_kinds, Action, OrgKind, Principal};
use persistence::Organization;
use uuid::Uuid;

use crate::error::ApiError;
use crate::state::AppState;

/// Pages by kind (rule 3): a `kind` filter must name a kind the caller's
/// organisation kind lists.
pub fn check_listable(principal: &Principal, kind: Option<OrgKind>) -> Result<(), ApiError> {
    match kind {
        Some(k) if !listable_kinds(principal.home_kind).contains(&k) => Err(ApiError::PageNotAvailable {
            kind: k.as_str(),
            home: principal.home_kind.as_str(),
        }),
        _ => Ok(()),
    }
}

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
